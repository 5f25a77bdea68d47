import { randomUUID } from 'node:crypto';

import { EventCodec, topicName } from '@ecommerce/contracts';
import {
  createKafka,
  createSchemaRegistry,
  KafkaPublisher,
  ensureTopics,
  parseBrokers,
} from '@ecommerce/messaging';
import { proxyDatabase } from '@ecommerce/fault-proxy';
import { createTestDatabase, testInfrastructure, waitFor, type TestDatabase } from '@ecommerce/test-infra';
import { Client } from 'pg';
import pino from 'pino';

import { OutboxStatusReporter } from './outbox-status-reporter';

async function sql(databaseUrl: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Outbox rows as the relay would find them: `ago` seconds old, published or not. */
function insertRows(rows: { ago: number; published?: boolean }[]): string {
  const values = rows.map(
    ({ ago, published }) =>
      `('${randomUUID()}', 'OrderPlaced', 'x.orders', 'k', '\\x00'::bytea, now() - interval '${ago} seconds', ${published ? 'now()' : 'NULL'})`,
  );
  return `INSERT INTO outbox (event_id, event_type, topic, message_key, payload, created_at, published_at) VALUES ${values.join(',')}`;
}

describe('OutboxStatusReporter: the outbox backlog as events (SPEC 9)', () => {
  const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
  const topicPrefix = `test.${randomUUID().slice(0, 8)}.`;
  const kafka = createKafka({ clientId: 'outbox-status-test', brokers: parseBrokers(kafkaBrokers) });
  const codec = new EventCodec({ registry: createSchemaRegistry({ url: schemaRegistryUrl }), topicPrefix });
  const publisher = new KafkaPublisher(kafka);
  const databases: TestDatabase[] = [];
  const reporters: OutboxStatusReporter[] = [];

  async function reporterOn(rows: { ago: number; published?: boolean }[], quarantine?: 'with quarantine') {
    const database = await createTestDatabase('order');
    databases.push(database);
    if (rows.length > 0) await sql(database.url, insertRows(rows));
    if (quarantine) {
      // A row the relay set aside after its last attempt.
      await sql(database.url, insertRows([{ ago: 600 }]));
      await sql(
        database.url,
        'UPDATE outbox SET quarantined_at = now() WHERE id = (SELECT max(id) FROM outbox)',
      );
    }
    const reporter = new OutboxStatusReporter({
      serviceName: 'order-service',
      databaseUrl: database.url,
      codec,
      publisher,
      topicPrefix,
      intervalMs: 1_000,
      logger: pino({ level: 'silent' }),
    });
    reporters.push(reporter);
    return reporter;
  }

  beforeAll(async () => {
    await codec.registerSchemas();
    await ensureTopics(kafka, [topicName('operations', topicPrefix)], {
      partitions: 1,
      replicationFactor: 1,
    });
  });

  afterAll(async () => {
    await Promise.all(reporters.map((reporter) => reporter.stop()));
    await publisher.close();
    await Promise.all(databases.map((database) => database.drop()));
  });

  it('when rows wait in the outbox, then the sample counts them, ages the oldest, and counts no quarantined row', async () => {
    const reporter = await reporterOn([{ ago: 30 }, { ago: 5 }, { ago: 900, published: true }]);
    const sample = await reporter.sample();
    expect(sample.pendingEvents).toBe(2);
    expect(sample.oldestPendingAgeMs).toBeGreaterThanOrEqual(30_000);
    expect(sample.oldestPendingAgeMs).toBeLessThan(60_000);
    expect(sample.quarantinedEvents).toBe(0);
  });

  it('when the outbox is empty, then the sample is zero pending and zero age', async () => {
    const reporter = await reporterOn([]);
    expect(await reporter.sample()).toEqual({
      pendingEvents: 0,
      oldestPendingAgeMs: 0,
      quarantinedEvents: 0,
    });
  });

  it('when the outbox quarantines rows (quarantined_at), then they are counted apart and not as backlog', async () => {
    const reporter = await reporterOn([{ ago: 10 }], 'with quarantine');
    const sample = await reporter.sample();
    expect(sample.pendingEvents).toBe(1);
    expect(sample.oldestPendingAgeMs).toBeLessThan(60_000); // the 10-minute-old row is quarantined
    expect(sample.quarantinedEvents).toBe(1);
  });

  it('when the database connection breaks in the middle of a sample, then that sample fails and the next one is taken', async () => {
    const database = await createTestDatabase('order');
    databases.push(database);
    await sql(database.url, insertRows([{ ago: 5 }]));
    const { proxy, url } = await proxyDatabase(database.url);
    try {
      const reporter = new OutboxStatusReporter({
        serviceName: 'order-service',
        databaseUrl: url,
        codec,
        publisher,
        topicPrefix,
        intervalMs: 1_000,
        logger: pino({ level: 'silent' }),
      });
      reporters.push(reporter);
      expect((await reporter.sample()).pendingEvents).toBe(1);

      // The sample's query is in flight on a connection that then breaks (a restart, a partition).
      await proxy.setMode({ kind: 'blackhole' });
      const brokenSample = reporter.sample();
      await waitFor('the sample waiting on its query', () => proxy.openConnections > 0);
      proxy.resetAll();
      await expect(brokenSample).rejects.toThrow();

      await proxy.setMode({ kind: 'pass' });
      expect((await reporter.sample()).pendingEvents).toBe(1);
    } finally {
      await proxy.stop();
    }
  });

  it('when it runs, then OutboxStatusReported events reach <prefix>operations keyed by the service', async () => {
    const reporter = await reporterOn([{ ago: 3 }]);
    const consumer = kafka.consumer({ groupId: `outbox-status-test-${randomUUID()}` });
    const received: { key: string | undefined; type: string; payload: Record<string, unknown> }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: topicName('operations', topicPrefix), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const decoded = await codec.decode(message.value as Buffer);
          received.push({
            key: message.key?.toString(),
            type: decoded.type,
            payload: decoded.payload as unknown as Record<string, unknown>,
          });
        },
      });
      reporter.start();
      const report = await waitFor('a report from the running reporter', async () =>
        received.find((entry) => entry.payload['pendingEvents'] === 1),
      );
      expect(report).toMatchObject({
        key: 'order-service',
        type: 'OutboxStatusReported',
        payload: { service: 'order-service', quarantinedEvents: 0, reportIntervalMs: 1_000 },
      });
    } finally {
      await consumer.disconnect();
    }
  });
});
