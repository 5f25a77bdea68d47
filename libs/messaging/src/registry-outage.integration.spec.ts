import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  EventCodec,
  SchemaRegistryUnreachableError,
  topicName,
  type EventPayloads,
  type OrderPlaced,
} from '@ecommerce/contracts';
import { sampleEvents } from '@ecommerce/contracts/testing';
import type { SqlExecutor } from '@ecommerce/database';
import { FaultProxy } from '@ecommerce/fault-proxy';
import {
  createPgTransactions,
  createTestDatabase,
  testInfrastructure,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import pino from 'pino';

import { deadLetterTopic } from './dead-letter';
import { EventConsumer } from './event-consumer';
import { createKafka, parseBrokers } from './kafka-client';
import { createSchemaRegistry } from './schema-registry';
import { ensureTopics } from './topics';

const logger = pino({ level: 'silent' });
/** Short, so a test sees many timed-out requests; a service keeps the default. */
const REQUEST_TIMEOUT_MS = 200;

/**
 * A simulated schema registry front, for tests: forwards every request to the real registry and
 * counts them by path, or, while `failWith` is set, answers every request with that status itself
 * (a registry behind a load balancer whose instances are down answers 502/503 like this).
 */
class SimulatedRegistryFront {
  failWith: number | undefined;
  readonly requests = new Map<string, number>();
  private readonly server = createServer((request, response) => this.answer(request, response));
  private port = 0;

  private constructor(private readonly upstream: string) {}

  static async start(upstream: string): Promise<SimulatedRegistryFront> {
    const front = new SimulatedRegistryFront(upstream);
    await new Promise<void>((resolve) => front.server.listen(0, '127.0.0.1', resolve));
    front.port = (front.server.address() as AddressInfo).port;
    return front;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  requestsFor(path: string): number {
    return this.requests.get(path) ?? 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const path = request.url ?? '';
    this.requests.set(path, this.requestsFor(path) + 1);
    if (this.failWith !== undefined) {
      response.writeHead(this.failWith, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify({ error_code: this.failWith, message: 'simulated failure' }));
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(`${this.upstream}${path}`, {
        method: request.method ?? 'GET',
        headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
        ...(body && { body }),
      })
        .then(async (answer) => {
          response.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'application/json',
          });
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => response.destroy());
    });
  }
}

describe('a consumer whose schema registry hangs or fails', () => {
  const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
  const registryAddress = new URL(schemaRegistryUrl);
  const kafka = createKafka({ clientId: 'registry-outage-test', brokers: parseBrokers(kafkaBrokers) });
  let database: TestDatabase;
  let db: PgTransactions;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
    await db.query('CREATE TABLE applied (event_id uuid, order_id text)');
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  /**
   * An OrderPlaced written by another service under a prefix of its own: registered through a
   * codec of the producer's, so the consumer's codec has never seen its schema id.
   */
  async function orderPlacedTopic() {
    const topicPrefix = `test.${randomUUID().slice(0, 8)}.`;
    const topic = topicName('orders', topicPrefix);
    await ensureTopics(kafka, [topic], { partitions: 1, replicationFactor: 1 });
    const producerCodec = new EventCodec({ registryUrl: schemaRegistryUrl, topicPrefix });
    const event: OrderPlaced = { ...sampleEvents.OrderPlaced, eventId: randomUUID(), orderId: randomUUID() };
    const value = await producerCodec.encode('OrderPlaced', event);
    return {
      topicPrefix,
      topic,
      event,
      publish: async () => {
        const producer = kafka.producer();
        await producer.connect();
        await producer.send({ topic, messages: [{ key: event.orderId, value }] });
        await producer.disconnect();
      },
    };
  }

  /** A consumer that decodes through `registryUrl` with a fresh codec, and counts outage retries. */
  async function startConsumer(topicPrefix: string, topic: string, registryUrl: string) {
    const group = `registry-outage-${randomUUID()}`;
    const outageRetries: unknown[] = [];
    const consumer = new EventConsumer<EventPayloads, SqlExecutor>({
      kafka,
      groupId: group,
      topics: [topic],
      decoder: new EventCodec({
        registry: createSchemaRegistry({ url: registryUrl, requestTimeoutMs: REQUEST_TIMEOUT_MS }),
        topicPrefix,
      }),
      handlers: {
        OrderPlaced: async ({ payload }, tx) => {
          await tx.$executeRawUnsafe(
            'INSERT INTO applied VALUES ($1::uuid, $2)',
            payload.eventId,
            payload.orderId,
          );
        },
      },
      runInTransaction: db.runInTransaction,
      deadLetterTopic: deadLetterTopic(topicPrefix, group),
      deadLetterTopicSettings: { partitions: 1, replicationFactor: 1 },
      logger,
      // Two attempts: without the outage rule, the second failure would dead-letter the event.
      retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 100 },
      observer: { retried: (_event, _retry, error) => void outageRetries.push(error) },
    });
    await consumer.start();
    cleanups.push(() => consumer.stop());
    return { deadLetters: deadLetterTopic(topicPrefix, group), outageRetries };
  }

  const appliedCount = async (eventId: string) =>
    Number(
      (await db.query<{ n: string }>('SELECT count(*) AS n FROM applied WHERE event_id = $1', [eventId]))[0]
        ?.n,
    );

  async function deadLetterCount(topic: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('when the registry accepts connections and never answers, then the event is kept, no attempt spent, and applied once it answers', async () => {
    const proxy = await FaultProxy.start({
      target: { host: registryAddress.hostname, port: Number(registryAddress.port) },
    });
    cleanups.push(() => proxy.stop());
    const { topicPrefix, topic, event, publish } = await orderPlacedTopic();
    await proxy.setMode({ kind: 'blackhole' });
    const consumer = await startConsumer(
      topicPrefix,
      topic,
      `http://${proxy.address}${registryAddress.pathname}`,
    );

    await publish();
    await waitFor(
      'more timed-out reads of the schema than the event has attempts, or a dead letter',
      async () => consumer.outageRetries.length >= 4 || (await deadLetterCount(consumer.deadLetters)) > 0,
      { timeoutMs: 60_000 },
    );
    expect(await deadLetterCount(consumer.deadLetters)).toBe(0);
    expect(consumer.outageRetries.every((error) => error instanceof SchemaRegistryUnreachableError)).toBe(
      true,
    );
    expect(await appliedCount(event.eventId)).toBe(0);

    await proxy.setMode({ kind: 'pass' });
    await waitFor(
      'the event to be applied once the registry answers',
      async () => (await appliedCount(event.eventId)) === 1,
    );
    expect(await deadLetterCount(consumer.deadLetters)).toBe(0);
  }, 90_000);

  it('when the registry answers 5xx, then the event is kept, no attempt spent, and applied once it answers', async () => {
    const front = await SimulatedRegistryFront.start(schemaRegistryUrl);
    cleanups.push(() => front.close());
    const { topicPrefix, topic, event, publish } = await orderPlacedTopic();
    front.failWith = 503;
    const consumer = await startConsumer(topicPrefix, topic, front.url);

    await publish();
    await waitFor(
      'more 503 answers than the event has attempts, or a dead letter',
      async () => consumer.outageRetries.length >= 4 || (await deadLetterCount(consumer.deadLetters)) > 0,
      { timeoutMs: 60_000 },
    );
    expect(await deadLetterCount(consumer.deadLetters)).toBe(0);
    expect(consumer.outageRetries.every((error) => error instanceof SchemaRegistryUnreachableError)).toBe(
      true,
    );

    front.failWith = undefined;
    await waitFor(
      'the event to be applied once the registry answers',
      async () => (await appliedCount(event.eventId)) === 1,
    );
    expect(await deadLetterCount(consumer.deadLetters)).toBe(0);
  }, 90_000);
});

describe('unknown schema ids', () => {
  const { schemaRegistryUrl } = testInfrastructure();
  let front: SimulatedRegistryFront;
  let wellFormed: Buffer;

  beforeAll(async () => {
    front = await SimulatedRegistryFront.start(schemaRegistryUrl);
    const producerCodec = new EventCodec({
      registryUrl: schemaRegistryUrl,
      topicPrefix: `test.${randomUUID().slice(0, 8)}.`,
    });
    wellFormed = await producerCodec.encode('OrderPlaced', sampleEvents.OrderPlaced);
  });

  afterAll(async () => {
    await front?.close();
  });

  /** A schema id no registry has handed out (ids count up from 1), different for each test. */
  const unknownId = () => 2_000_000_000 + Math.floor(Math.random() * 100_000_000);
  /** A well-formed OrderPlaced whose header names `schemaId` (Confluent wire format: byte 0, then the id). */
  const messageWith = (schemaId: number) => {
    const message = Buffer.from(wellFormed);
    message.writeInt32BE(schemaId, 1);
    return message;
  };

  it('when many messages carry the same unknown schema id, then the registry is asked once within the TTL, and again after it', async () => {
    const codec = new EventCodec({
      registry: createSchemaRegistry({ url: front.url }),
      topicPrefix: 'unknown-ids.',
      unknownSchemaIdTtlMs: 2_000,
    });
    const schemaId = unknownId();
    const path = `/schemas/ids/${schemaId}`;

    for (let message = 0; message < 50; message++) {
      await expect(codec.decode(messageWith(schemaId))).rejects.toMatchObject({
        code: 'UNKNOWN_SCHEMA_ID',
        schemaId,
      });
    }
    expect(front.requestsFor(path)).toBe(1);

    await waitFor(
      'a decode after the TTL to ask the registry again',
      async () => {
        await codec.decode(messageWith(schemaId)).catch(() => undefined);
        return front.requestsFor(path) === 2;
      },
      { timeoutMs: 10_000 },
    );
  });

  it('when the registry could not be reached, then nothing is remembered: the next message asks again', async () => {
    const codec = new EventCodec({
      registry: createSchemaRegistry({ url: front.url }),
      topicPrefix: 'unknown-ids.',
    });
    const schemaId = unknownId();
    front.failWith = 503;
    await expect(codec.decode(messageWith(schemaId))).rejects.toBeInstanceOf(SchemaRegistryUnreachableError);
    front.failWith = undefined;
    await expect(codec.decode(messageWith(schemaId))).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA_ID' });
  });
});
