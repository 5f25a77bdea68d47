/**
 * Consumer backlog benchmark (a script, not a test): `npm run bench:consumer [-- --events 5000]`.
 *
 * N events wait on a topic of 6 partitions (a consumer back from an outage, a read model being
 * rebuilt); an EventConsumer then applies them, one INSERT per event with its inbox row, on the
 * same node-postgres transactions the services use. Measured: events applied per second from its
 * start until the last is committed, and the transactions that took, with one transaction per
 * event and with one per fetched batch (`transactionPerBatch`), in turns (A, B, A, B), since this
 * machine's speed drifts between runs. Infrastructure comes from the test harness, like the tests.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { createSqlTransactions, type SqlExecutor } from '@ecommerce/database';
import { deadLetterTopic, EventConsumer } from '@ecommerce/messaging';
import type { TestEvent, TestMessaging } from '@ecommerce/messaging/testing';
import { waitFor, type PgTransactions } from '@ecommerce/test-infra';
import pino from 'pino';

import { runBench } from './bench-infrastructure';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '2' } },
});
const events = Number(values.events);
const rounds = Number(values.rounds);
const partitions = 6;
const logger = pino({ level: 'warn' });

async function fillTopic(messaging: TestMessaging, topic: string): Promise<void> {
  await messaging.createTopics([topic], partitions);
  const producer = messaging.kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < events; i += 500) {
      const chunk = Array.from({ length: Math.min(500, events - i) }, (_, j) =>
        messaging.newEvent(`key-${(i + j) % 200}`, i + j),
      );
      const messages = await Promise.all(
        chunk.map(async (event) => ({ key: event.key, value: await messaging.encode(event) })),
      );
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Applies the whole topic with a new group; returns events per second and transactions used. */
async function drain(
  databaseUrl: string,
  db: PgTransactions,
  messaging: TestMessaging,
  topic: string,
  run: string,
  transactionPerBatch: boolean,
): Promise<{ eventsPerSecond: number; transactions: number }> {
  const groupId = `${topic}-${run}`;
  const sql = createSqlTransactions(
    databaseUrl,
    { DATABASE_TRANSACTION_TIMEOUT_MS: 10_000, DATABASE_TRANSACTION_MAX_WAIT_MS: 10_000 },
    (error) => logger.warn({ err: error }, 'an idle connection failed'),
  );
  const consumer = new EventConsumer<{ TestEvent: TestEvent }, SqlExecutor>({
    kafka: messaging.kafka,
    groupId,
    topics: [topic],
    decoder: messaging.decoder,
    handlers: {
      TestEvent: async (event, tx) => {
        await tx.$executeRawUnsafe(
          'INSERT INTO effects (run, event_id, key, sequence) VALUES ($1, $2::uuid, $3, $4)',
          run,
          event.payload.eventId,
          event.payload.key,
          event.payload.sequence,
        );
      },
    },
    runInTransaction: sql.runInTransaction,
    deadLetterTopic: deadLetterTopic(messaging.topicPrefix, groupId),
    deadLetterTopicSettings: { partitions: 1, replicationFactor: 1 },
    logger,
    transactionPerBatch,
  });
  const applied = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM effects WHERE run = $1', [run]))[0]?.n ??
    0;
  const started = performance.now();
  await consumer.start();
  await waitFor(`${run}: every event applied`, async () => (await applied()) === events, {
    timeoutMs: 600_000,
    intervalMs: 20,
  });
  const seconds = (performance.now() - started) / 1_000;
  await consumer.stop();
  await sql.close();
  const [counted] = await db.query<{ n: number }>(
    'SELECT count(DISTINCT xmin::text)::int AS n FROM inbox WHERE consumer_group = $1',
    [groupId],
  );
  return { eventsPerSecond: events / seconds, transactions: counted?.n ?? NaN };
}

runBench(async ({ database, db, messaging, source }) => {
  await db.query('CREATE TABLE effects (run text, event_id uuid, key text, sequence int)');
  const topic = `${messaging.topicPrefix}backlog`;
  await fillTopic(messaging, topic);
  console.log(
    `consumer backlog benchmark: ${events} events waiting on ${partitions} partitions, one INSERT each, ` +
      `infrastructure: ${source}`,
  );
  for (let round = 1; round <= rounds; round++) {
    for (const perBatch of [false, true]) {
      const label = perBatch ? 'a transaction per batch' : 'a transaction per event';
      const result = await drain(
        database.url,
        db,
        messaging,
        topic,
        `r${round}-${perBatch ? 'batch' : 'event'}`,
        perBatch,
      );
      console.log(
        `  round ${round}, ${label.padEnd(23)}: ${result.eventsPerSecond.toFixed(0)} events/s, ` +
          `${result.transactions} transactions (${(events / result.transactions).toFixed(1)} events each)`,
      );
    }
  }
});
