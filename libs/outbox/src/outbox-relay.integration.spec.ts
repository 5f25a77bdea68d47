import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import type { SqlExecutor } from '@ecommerce/database';
import { EventConsumer, KafkaPublisher, deadLetterTopic } from '@ecommerce/messaging';
import {
  createPgTransactions,
  createTestDatabase,
  testInfrastructure,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import { createTestMessaging, type TestEvent, type TestMessaging } from '@ecommerce/messaging/testing';
import pino from 'pino';

import { OutboxRelay } from './outbox-relay';
import { writeOutboxMessage } from './write-outbox-message';

const workspaceRoot = join(__dirname, '..', '..', '..');
const logger = pino({ level: 'silent' });

describe('OutboxRelay on a real broker and database', () => {
  let messaging: TestMessaging;
  let database: TestDatabase;
  let db: PgTransactions;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    messaging = await createTestMessaging();
  });

  beforeEach(async () => {
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await db.close();
    await database.drop();
  });

  async function writeEvents(topic: string, events: TestEvent[]): Promise<void> {
    await db.runInTransaction(async (tx) => {
      for (const event of events) {
        await writeOutboxMessage(tx, {
          eventId: event.eventId,
          eventType: 'TestEvent',
          topic,
          key: event.key,
          payload: await messaging.encode(event),
          headers: {},
        });
      }
    });
  }

  function startRelay(
    options: { pollIntervalMs?: number; standbyRetryMs?: number; batchSize?: number } = {},
  ) {
    const publisher = new KafkaPublisher(messaging.kafka);
    let leading = false;
    const relay = new OutboxRelay({
      databaseUrl: database.url,
      publisher,
      logger,
      observer: { leadershipChanged: (now) => void (leading = now) },
      ...options,
    });
    relay.start();
    cleanups.push(async () => {
      await relay.stop();
      await publisher.close();
    });
    return { relay, isLeading: () => leading };
  }

  /** Collects every message of `topic` (duplicates included), decoded. */
  async function collect(topic: string): Promise<TestEvent[]> {
    const received: TestEvent[] = [];
    const consumer = messaging.kafka.consumer({ groupId: `${topic}-collector` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push((await messaging.decoder.decode(message.value as Buffer)).payload as TestEvent);
      },
    });
    cleanups.push(() => consumer.disconnect());
    return received;
  }

  const unpublished = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL'))[0]?.n;

  it('when rows commit, then they are published in commit order per key and marked published', async () => {
    const topic = `${messaging.topicPrefix}ordered`;
    await messaging.createTopics([topic]);
    const events = Array.from({ length: 30 }, (_, i) =>
      messaging.newEvent(`key-${i % 3}`, Math.floor(i / 3)),
    );
    await writeEvents(topic, events);
    const received = await collect(topic);

    startRelay();

    await waitFor('all rows to be published', async () => (await unpublished()) === 0);
    await waitFor('all events to arrive', () => received.length >= events.length);
    for (const key of ['key-0', 'key-1', 'key-2']) {
      expect(received.filter((e) => e.key === key).map((e) => e.sequence)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
      ]);
    }
  });

  it('when a row commits while the relay idles, then the commit wakes it (no waiting for the poll)', async () => {
    const topic = `${messaging.topicPrefix}wake`;
    await messaging.createTopics([topic]);
    const { isLeading } = startRelay({ pollIntervalMs: 60_000 });
    await waitFor('the relay to lead', () => isLeading());
    await writeEvents(topic, [messaging.newEvent('wake', 1)]);
    // The poll is a minute away: only the commit's NOTIFY can get the row out within the deadline.
    await waitFor('the row to be published', async () => (await unpublished()) === 0, { timeoutMs: 5_000 });
  });

  it('when the relay is killed -9 between publish and mark, then after a restart every row is published and applied exactly once', async () => {
    const topic = `${messaging.topicPrefix}crash`;
    const groupId = `${topic}-consumer`;
    await messaging.createTopics([topic]);
    await db.query('CREATE TABLE effects (event_id uuid, sequence int)');
    const events = Array.from({ length: 300 }, (_, i) => messaging.newEvent(`key-${i % 10}`, i));
    await writeEvents(topic, events);

    const env = {
      ...process.env,
      OUTBOX_DATABASE_URL: database.url,
      KAFKA_BROKERS: testInfrastructure().kafkaBrokers,
      RELAY_BATCH_SIZE: '100',
    };
    const relayProcess = (extra: Record<string, string>): ChildProcess => {
      // `node --import tsx` runs the relay in this very process (the tsx CLI would start a child,
      // and kill -9 would hit the wrapper instead of the relay).
      const child = spawn(process.execPath, ['--import', 'tsx', 'libs/outbox/src/testing/relay-process.ts'], {
        cwd: workspaceRoot,
        env: { ...env, ...extra },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      cleanups.push(async () => void child.kill('SIGKILL'));
      return child;
    };

    const doomed = relayProcess({ RELAY_HANG_AFTER_BATCH: '2' });
    let output = '';
    doomed.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('the relay to publish its second batch and hang before marking it', () =>
      output.includes('hanging-after-publish'),
    );
    doomed.kill('SIGKILL');
    const [, signal] = (await once(doomed, 'exit')) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    // Batch 1 was marked; batch 2 reached Kafka but not the database; batch 3 was never sent.
    expect(await unpublished()).toBe(200);

    relayProcess({});
    await waitFor('the restarted relay to publish every row', async () => (await unpublished()) === 0);

    const consumer = new EventConsumer<{ TestEvent: TestEvent }, SqlExecutor>({
      kafka: messaging.kafka,
      groupId,
      topics: [topic],
      decoder: messaging.decoder,
      runInTransaction: db.runInTransaction,
      deadLetterTopic: deadLetterTopic(messaging.topicPrefix, groupId),
      deadLetterTopicSettings: { partitions: 1, replicationFactor: 1 },
      logger,
      handlers: {
        TestEvent: async (event, tx) => {
          await tx.$executeRawUnsafe(
            'INSERT INTO effects VALUES ($1::uuid, $2)',
            event.payload.eventId,
            event.payload.sequence,
          );
        },
      },
    });
    await consumer.start();
    cleanups.push(() => consumer.stop());

    const admin = messaging.kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const messagesOnTopic = offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
    expect(messagesOnTopic).toBe(400); // 300 rows, the 100 of batch 2 twice

    const applied = await waitFor('every event to be applied', async () => {
      const [row] = await db.query<{ n: number; distinct_events: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct_events FROM effects',
      );
      return row && row.n >= 300 && row;
    });
    expect(applied).toEqual({ n: 300, distinct_events: 300 });
  });

  it('when two relays run and the leader stops mid-stream, then every one of 50 keys arrives in commit order', async () => {
    const topic = `${messaging.topicPrefix}two-relays`;
    await messaging.createTopics([topic], 6);
    const received = await collect(topic);
    const first = startRelay({ standbyRetryMs: 100, batchSize: 50 });
    const second = startRelay({ standbyRetryMs: 100, batchSize: 50 });
    await waitFor('one relay to lead', () => first.isLeading() || second.isLeading());

    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    const perKey = 20;
    // Five writers, ten keys each, committing one event at a time: commits of different keys interleave.
    const writers = [0, 1, 2, 3, 4].map(async (writer) => {
      for (let sequence = 0; sequence < perKey; sequence++) {
        for (const key of keys.slice(writer * 10, writer * 10 + 10)) {
          await writeEvents(topic, [messaging.newEvent(key, sequence)]);
        }
        if (writer === 0 && sequence === perKey / 2) {
          const leader = first.isLeading() ? first : second;
          await leader.relay.stop();
        }
      }
    });
    await Promise.all(writers);

    await waitFor('every row to be published', async () => (await unpublished()) === 0);
    await waitFor(
      'every event to arrive',
      () => new Set(received.map((e) => e.eventId)).size >= keys.length * perKey,
    );
    for (const key of keys) {
      const seen = new Set<string>();
      const firstArrivals = received.filter(
        (e) => e.key === key && !seen.has(e.eventId) && seen.add(e.eventId),
      );
      expect(firstArrivals.map((e) => e.sequence)).toEqual(Array.from({ length: perKey }, (_, i) => i));
    }
  });
});
