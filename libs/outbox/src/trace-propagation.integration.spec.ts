import type { SqlExecutor } from '@ecommerce/database';
import { deadLetterTopic, EventConsumer, KafkaPublisher } from '@ecommerce/messaging';
import { createTestMessaging, type TestEvent, type TestMessaging } from '@ecommerce/messaging/testing';
import { createHttpServer } from '@ecommerce/http-server';
import { InMemorySpanExporter, SpanKind, startTelemetry, type Telemetry } from '@ecommerce/telemetry';
import {
  createPgTransactions,
  createTestDatabase,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import pino from 'pino';

import { OutboxRelay } from './outbox-relay';
import { writeOutboxMessage } from './write-outbox-message';

const logger = pino({ level: 'silent' });

/**
 * One event's journey as one trace: HTTP request -> outbox row -> relay (PRODUCER) -> Kafka ->
 * consumer (CONSUMER) -> its own outbox row -> relay (PRODUCER) again.
 */
describe('trace context across HTTP, outbox, Kafka and a consumer', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let messaging: TestMessaging;
  let database: TestDatabase;
  let db: PgTransactions;
  const stops: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    // The default sampling, parent-based: the caller's `traceparent` decides.
    telemetry = startTelemetry({ serviceName: 'trace-test', spanExporter: exporter });
    messaging = await createTestMessaging();
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await db?.close();
    await database?.drop();
    await telemetry?.shutdown();
  });

  let requests: string;
  let followUps: string;
  let app: Awaited<ReturnType<typeof createHttpServer>>;

  // A request writes an event; a consumer of it writes a follow-up; the relay publishes both.
  beforeAll(async () => {
    requests = `${messaging.topicPrefix}requests`;
    followUps = `${messaging.topicPrefix}follow-ups`;
    await messaging.createTopics([requests, followUps], 1);
    const writeEvent = (tx: SqlExecutor, topic: string, event: TestEvent) =>
      messaging.encode(event).then((payload) =>
        writeOutboxMessage(tx, {
          eventId: event.eventId,
          eventType: 'TestEvent',
          topic,
          key: event.key,
          payload,
          headers: {},
        }),
      );

    app = await createHttpServer({ serviceName: 'trace-test', logger, dependencies: {} });
    app.post('/things', async (_request, reply) => {
      await db.runInTransaction((tx) => writeEvent(tx, requests, messaging.newEvent('thing', 1)));
      return reply.code(202).send();
    });
    stops.push(() => app.close());

    const publisher = new KafkaPublisher(messaging.kafka);
    const relay = new OutboxRelay({ databaseUrl: database.url, publisher, logger });
    relay.start();
    stops.push(() => relay.stop().then(() => publisher.close()));

    const groupId = `${messaging.topicPrefix}trace-consumer`;
    const consumer = new EventConsumer<{ TestEvent: TestEvent }, SqlExecutor>({
      kafka: messaging.kafka,
      groupId,
      topics: [requests],
      decoder: messaging.decoder,
      runInTransaction: db.runInTransaction,
      deadLetterTopic: deadLetterTopic(messaging.topicPrefix, groupId),
      deadLetterTopicSettings: { partitions: 1, replicationFactor: 1 },
      logger,
      handlers: {
        TestEvent: (event, tx) => writeEvent(tx, followUps, messaging.newEvent(event.payload.key, 2)),
      },
    });
    await consumer.start();
    stops.push(() => consumer.stop());
  });

  it('when a request causes an event that causes another, then every span is in the request’s trace', async () => {
    expect((await app.inject({ method: 'POST', url: '/things' })).statusCode).toBe(202);

    const spans = await waitFor('both publications and the consumer span', () => {
      const finished = exporter.getFinishedSpans();
      const producers = finished.filter((s) => s.kind === SpanKind.PRODUCER);
      const consumers = finished.filter((s) => s.kind === SpanKind.CONSUMER);
      return producers.length >= 2 && consumers.length >= 1 && finished;
    });
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    const [firstPublish, secondPublish] = spans
      .filter((s) => s.kind === SpanKind.PRODUCER)
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    const consume = spans.find((s) => s.kind === SpanKind.CONSUMER);

    const traceId = server?.spanContext().traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(
      [firstPublish, consume, secondPublish].map((span) => [span?.name, span?.spanContext().traceId]),
    ).toEqual([
      [`${requests} publish`, traceId],
      [`${requests} process`, traceId],
      [`${followUps} publish`, traceId],
    ]);
    // Each hop is the child of the previous one, not of the relay's or the consumer's own loop.
    expect(consume?.parentSpanContext?.spanId).toBe(firstPublish?.spanContext().spanId);
    expect(secondPublish?.parentSpanContext?.spanId).toBe(consume?.spanContext().spanId);
  });
  it('when the request comes unsampled, then no hop records a span and the decision travels to the next outbox row', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-00` },
    });
    expect(response.statusCode).toBe(202);

    // The follow-up's row is written by the consumer, in the context of the event it handles.
    const followUpHeaders = await waitFor('the follow-up written by the consumer', async () => {
      const rows = await db.runInTransaction((tx) =>
        tx.$queryRawUnsafe<{ headers: Record<string, string> }[]>(
          `SELECT headers FROM outbox WHERE topic = $1 AND headers->>'traceparent' LIKE $2`,
          followUps,
          `00-${traceId}-%`,
        ),
      );
      return rows[0]?.headers;
    });
    expect(followUpHeaders.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    await telemetry.forceFlush();
    expect(exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId)).toEqual([]);
  });
});
