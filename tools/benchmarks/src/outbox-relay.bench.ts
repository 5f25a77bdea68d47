/**
 * Outbox relay benchmark (a script, not a test): `npm run bench:outbox [-- --events 10000]`.
 *
 * 1. Backlog: N committed rows, then the relay starts; relay throughput = N / time to publish all.
 * 2. Streaming: the relay runs while 4 writers commit N events one per transaction; for each
 *    event, commit-to-consume latency = time a consumer receives it - time its COMMIT returned.
 * Infrastructure comes from the test harness (environment, testcontainers or local), like the tests.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { KafkaPublisher } from '@ecommerce/messaging';
import type { TestMessaging } from '@ecommerce/messaging/testing';
import { OutboxRelay, writeOutboxMessage } from '@ecommerce/outbox';
import { waitFor, type PgTransactions } from '@ecommerce/test-infra';
import pino from 'pino';

import { runBench } from './bench-infrastructure';

import { percentile } from './stats';

const { values } = parseArgs({ options: { events: { type: 'string', default: '10000' } } });
const events = Number(values.events);
const partitions = 6;
const batchSize = 500;
const logger = pino({ level: 'warn' });

async function unpublished(db: PgTransactions): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
  );
  return row?.n ?? -1;
}

async function writeOne(
  db: PgTransactions,
  messaging: TestMessaging,
  topic: string,
  i: number,
): Promise<string> {
  const event = messaging.newEvent(`key-${i % 200}`, i);
  const payload = await messaging.encode(event);
  await db.runInTransaction((tx) =>
    writeOutboxMessage(tx, {
      eventId: event.eventId,
      eventType: 'TestEvent',
      topic,
      key: event.key,
      payload,
      headers: {},
    }),
  );
  return event.eventId;
}

function startRelay(databaseUrl: string, messaging: TestMessaging) {
  const publisher = new KafkaPublisher(messaging.kafka);
  const relay = new OutboxRelay({ databaseUrl, publisher, logger, batchSize });
  relay.start();
  return async () => {
    await relay.stop();
    await publisher.close();
  };
}

async function backlogPhase(
  databaseUrl: string,
  db: PgTransactions,
  messaging: TestMessaging,
): Promise<number> {
  const topic = `${messaging.topicPrefix}backlog`;
  await messaging.createTopics([topic], partitions);
  for (let i = 0; i < events; i += 100) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(100, events - i) }, async (_, j) => {
        const event = messaging.newEvent(`key-${(i + j) % 200}`, i + j);
        return { event, payload: await messaging.encode(event) };
      }),
    );
    await db.runInTransaction(async (tx) => {
      for (const { event, payload } of chunk) {
        await writeOutboxMessage(tx, {
          eventId: event.eventId,
          eventType: 'TestEvent',
          topic,
          key: event.key,
          payload,
          headers: {},
        });
      }
    });
  }
  const started = performance.now();
  const stop = startRelay(databaseUrl, messaging);
  await waitFor('the backlog to be published', async () => (await unpublished(db)) === 0, {
    timeoutMs: 600_000,
    intervalMs: 20,
  });
  const seconds = (performance.now() - started) / 1_000;
  await stop();
  return events / seconds;
}

async function streamingPhase(databaseUrl: string, db: PgTransactions, messaging: TestMessaging) {
  const topic = `${messaging.topicPrefix}streaming`;
  await messaging.createTopics([topic], partitions);
  const committedAt = new Map<string, number>();
  const latencies: number[] = [];
  const consumer = messaging.kafka.consumer({ groupId: `${topic}-bench`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: partitions,
    eachMessage: async ({ message }) => {
      const received = performance.now();
      const { payload } = await messaging.decoder.decode(message.value as Buffer);
      const committed = committedAt.get((payload as { eventId: string }).eventId);
      if (committed !== undefined) latencies.push(received - committed);
    },
  });
  const stop = startRelay(databaseUrl, messaging);
  // Let the consumer join and the relay take the lead before the clock starts.
  await waitFor('the relay to idle', async () => (await unpublished(db)) === 0);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    [0, 1, 2, 3].map(async () => {
      while (next < events) {
        const i = next++;
        const eventId = await writeOne(db, messaging, topic, i);
        committedAt.set(eventId, performance.now());
      }
    }),
  );
  await waitFor('every event to be consumed', () => latencies.length >= events, {
    timeoutMs: 600_000,
    intervalMs: 20,
  });
  const seconds = (performance.now() - started) / 1_000;
  await stop();
  await consumer.disconnect();
  latencies.sort((a, b) => a - b);
  return {
    eventsPerSecond: events / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
  };
}

runBench(async ({ database, db, messaging, source }) => {
  console.log(
    `outbox relay benchmark: ${events} events, ${partitions} partitions, batch ${batchSize}, infrastructure: ${source}`,
  );
  const throughput = await backlogPhase(database.url, db, messaging);
  console.log(`  backlog drain:  ${throughput.toFixed(0)} events/s published (commit to broker ack, marked)`);
  const streaming = await streamingPhase(database.url, db, messaging);
  console.log(
    `  streaming:      commit-to-consume p50 ${streaming.p50.toFixed(1)} ms, p99 ${streaming.p99.toFixed(1)} ms, ` +
      `max ${streaming.max.toFixed(1)} ms; ${streaming.eventsPerSecond.toFixed(0)} events/s end to end (4 writers, 1 event per commit)`,
  );
});
