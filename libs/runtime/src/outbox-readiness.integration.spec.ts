import { randomUUID } from 'node:crypto';

import { type OrderPlaced } from '@ecommerce/contracts';
import { sampleEvents } from '@ecommerce/contracts/testing';
import { FaultProxy } from '@ecommerce/fault-proxy';
import {
  createPgTransactions,
  createTestDatabase,
  freePort,
  testInfrastructure,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import pino from 'pino';

import { startEventBackbone, type EventBackbone } from './event-backbone';
import { writeEvent } from './write-event';

describe('the outbox relay in a service’s readiness', () => {
  let database: TestDatabase;
  let db: PgTransactions;
  let backbone: EventBackbone | undefined;
  let brokerProxy: FaultProxy;

  beforeAll(async () => {
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
    const [host = '127.0.0.1', port] = (testInfrastructure().kafkaBrokers.split(',')[0] ?? '').split(':');
    brokerProxy = await FaultProxy.start({
      target: { host, port: Number(port) },
      listen: { port: await freePort() },
    });
  });

  afterAll(async () => {
    await backbone?.stop();
    await brokerProxy?.stop();
    await db?.close();
    await database?.drop();
  });

  it('when Kafka is unreachable at the service’s first event, then outboxRelay fails readiness after OUTBOX_STALL_WINDOW_MS, and passes again once the event is out', async () => {
    const started = await startEventBackbone({
      serviceName: 'readiness-test',
      settings: {
        KAFKA_BROKERS: brokerProxy.address,
        SCHEMA_REGISTRY_URL: testInfrastructure().schemaRegistryUrl,
        TOPIC_PREFIX: `test.${randomUUID().slice(0, 8)}.`,
        KAFKA_TOPIC_PARTITIONS: 1,
        KAFKA_REPLICATION_FACTOR: 1,
        OUTBOX_STALL_WINDOW_MS: 1_500,
      },
      databaseUrl: database.url,
      logger: pino({ level: 'silent' }),
      publishesEvents: true,
    });
    backbone = started;
    const { outboxRelay } = started.readiness();
    if (!outboxRelay) throw new Error('a service that publishes has an outboxRelay readiness check');
    await expect(outboxRelay.check()).resolves.toBeUndefined();

    // Started (topics made, schemas registered); the relay's producer connects at the first event.
    await brokerProxy.setMode({ kind: 'refuse' });
    const event: OrderPlaced = { ...sampleEvents.OrderPlaced, eventId: randomUUID(), orderId: randomUUID() };
    await db.runInTransaction((tx) => writeEvent(tx, started, { type: 'OrderPlaced', payload: event }));

    await waitFor('readiness to fail', () =>
      outboxRelay.check().then(
        () => false,
        () => true,
      ),
    );
    await brokerProxy.setMode({ kind: 'pass' });
    await waitFor(
      'the event to be published',
      async () =>
        (
          await db.query('SELECT 1 FROM outbox WHERE published_at IS NOT NULL AND event_id = $1', [
            event.eventId,
          ])
        ).length === 1,
      { timeoutMs: 60_000 },
    );
    await expect(outboxRelay.check()).resolves.toBeUndefined();
  }, 120_000);
});
