import { randomUUID } from 'node:crypto';

import { ContractViolationError, topicName, type OrderPlaced } from '@ecommerce/contracts';
import { sampleEvents } from '@ecommerce/contracts/testing';
import { createHttpServer } from '@ecommerce/http-server';
import {
  createPgTransactions,
  createTestDatabase,
  testInfrastructure,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import pino from 'pino';

import { startEventBackbone, type EventBackbone } from './event-backbone';
import { writeEvent } from './write-event';

describe('a service’s event backbone on the real broker, registry and database', () => {
  let database: TestDatabase;
  let db: PgTransactions;
  let backbone: EventBackbone;

  beforeAll(async () => {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
    backbone = await startEventBackbone({
      serviceName: 'backbone-test',
      settings: {
        KAFKA_BROKERS: kafkaBrokers,
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        TOPIC_PREFIX: `test.${randomUUID().slice(0, 8)}.`,
        KAFKA_TOPIC_PARTITIONS: 3,
        KAFKA_REPLICATION_FACTOR: 1,
      },
      databaseUrl: database.url,
      logger: pino({ level: 'silent' }),
      publishesEvents: true,
    });
  });

  afterAll(async () => {
    await backbone?.stop();
    await db?.close();
    await database?.drop();
  });

  it('creates every topic with the configured partitions', async () => {
    const admin = backbone.kafka.admin();
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({
      topics: ['orders', 'inventory', 'payments', 'catalog', 'notifications'].map((t) =>
        topicName(t as never, backbone.topicPrefix),
      ),
    });
    await admin.disconnect();
    expect(topics.map((t) => t.partitions.length)).toEqual([3, 3, 3, 3, 3]);
  });

  it('when an event is written in a transaction, then it reaches its topic, keyed by its aggregate, and decodes', async () => {
    const event: OrderPlaced = { ...sampleEvents.OrderPlaced, eventId: randomUUID(), orderId: randomUUID() };
    await db.runInTransaction((tx) => writeEvent(tx, backbone, { type: 'OrderPlaced', payload: event }));

    const consumer = backbone.kafka.consumer({ groupId: `backbone-test-${randomUUID()}` });
    const received: {
      key: string | undefined;
      type: string;
      payload: unknown;
      headers: Record<string, string>;
    }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: topicName('orders', backbone.topicPrefix), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const decoded = await backbone.codec.decode(message.value as Buffer);
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        received.push({
          key: message.key?.toString(),
          type: decoded.type,
          payload: decoded.payload,
          headers,
        });
      },
    });
    try {
      const [first] = await waitFor('the event on its topic', () => received.length > 0 && received);
      expect(first).toMatchObject({ key: event.orderId, type: 'OrderPlaced', payload: event });
      expect(first?.headers).toMatchObject({ 'event-type': 'OrderPlaced', 'event-id': event.eventId });
    } finally {
      await consumer.disconnect();
    }
  });

  it('when the service consumes a topic, then its handler gets the typed event and applies it', async () => {
    await db.query('CREATE TABLE IF NOT EXISTS placed (order_id uuid, total_cents bigint)');
    const event: OrderPlaced = { ...sampleEvents.OrderPlaced, eventId: randomUUID(), orderId: randomUUID() };
    const group = `consume-test-${randomUUID()}`;
    await backbone.consume({
      groupId: group,
      topics: ['orders'],
      runInTransaction: db.runInTransaction,
      logger: pino({ level: 'silent' }),
      handlers: {
        OrderPlaced: async ({ payload }, tx) => {
          await tx.$executeRawUnsafe(
            'INSERT INTO placed VALUES ($1::uuid, $2)',
            payload.orderId,
            payload.totalCents,
          );
        },
      },
    });
    await db.runInTransaction((tx) => writeEvent(tx, backbone, { type: 'OrderPlaced', payload: event }));

    const rows = await waitFor('the handler to apply the event', async () => {
      const found = await db.query<{ total_cents: string }>(
        'SELECT total_cents FROM placed WHERE order_id = $1',
        [event.orderId],
      );
      return found.length > 0 && found;
    });
    expect(rows).toEqual([{ total_cents: String(event.totalCents) }]);

    // The group is the system's: its Kafka id carries the topic prefix, as the topics do, so a
    // system under another prefix on this broker never joins it.
    const admin = backbone.kafka.admin();
    await admin.connect();
    try {
      const groupIds = (await admin.listGroups()).groups.map((g) => g.groupId);
      expect(groupIds).toContain(`${backbone.topicPrefix}${group}`);
      expect(groupIds).not.toContain(group);
    } finally {
      await admin.disconnect();
    }
  });

  it('when an event breaks its contract, then the transaction fails and nothing reaches the outbox', async () => {
    const broken = {
      ...sampleEvents.OrderPlaced,
      eventId: randomUUID(),
      totalCents: 'lots',
    } as unknown as OrderPlaced;
    await expect(
      db.runInTransaction((tx) => writeEvent(tx, backbone, { type: 'OrderPlaced', payload: broken })),
    ).rejects.toThrow(ContractViolationError);
    expect(await db.query('SELECT event_id FROM outbox WHERE event_id = $1', [broken.eventId])).toEqual([]);
  });

  it('when a consumer is stopped, then /health/ready answers 503 and names the consumer group; while it runs, 200', async () => {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    const consumersOnly = await startEventBackbone({
      serviceName: 'readiness-test',
      settings: {
        KAFKA_BROKERS: kafkaBrokers,
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        TOPIC_PREFIX: backbone.topicPrefix,
        KAFKA_TOPIC_PARTITIONS: 3,
        KAFKA_REPLICATION_FACTOR: 1,
      },
      databaseUrl: database.url,
      logger: pino({ level: 'silent' }),
      publishesEvents: false,
    });
    const server = await createHttpServer({
      serviceName: 'readiness-test',
      logger: pino({ level: 'silent' }),
      dependencies: consumersOnly.readiness(),
    });
    try {
      await consumersOnly.consume({
        topics: ['orders'],
        runInTransaction: db.runInTransaction,
        logger: pino({ level: 'silent' }),
        handlers: {},
      });
      const running = await server.inject({ method: 'GET', url: '/health/ready' });
      expect(running.statusCode).toBe(200);
      expect(running.json()).toMatchObject({ checks: { consumers: { status: 'up' } } });

      await consumersOnly.stop();

      const stopped = await server.inject({ method: 'GET', url: '/health/ready' });
      expect(stopped.statusCode).toBe(503);
      expect(stopped.json()).toMatchObject({
        status: 'not ready',
        checks: {
          consumers: {
            status: 'down',
            error: `consumer group ${backbone.topicPrefix}readiness-test: stopped`,
          },
        },
      });
    } finally {
      await server.close();
      await consumersOnly.stop();
    }
  });
});
