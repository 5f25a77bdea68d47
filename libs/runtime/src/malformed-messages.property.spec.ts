import { randomUUID } from 'node:crypto';

import { topicName, type OrderConfirmed } from '@ecommerce/contracts';
import { sampleEvents } from '@ecommerce/contracts/testing';
import type { SqlExecutor } from '@ecommerce/database';
import { consumerGroupId, DEAD_LETTER_HEADERS, deadLetterTopic } from '@ecommerce/messaging';
import { startRawTopicReader, type RawMessage, type RawTopicReader } from '@ecommerce/messaging/testing';
import type { KafkaHeaders } from '@ecommerce/telemetry';
import {
  createPgTransactions,
  createTestDatabase,
  propertyTestParameters,
  testInfrastructure,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import fc from 'fast-check';
import pino from 'pino';

import { startEventBackbone, type EventBackbone } from './event-backbone';

/** A message as a broken or hostile producer might write it, and the codes its dead letter may carry. */
interface MalformedMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaHeaders;
  codes: readonly string[];
}

describe('malformed messages through a service consumer (property-based, real broker, registry and database)', () => {
  const groupId = 'malformed-messages-test';
  const logger = pino({ level: 'silent' });
  let database: TestDatabase;
  let db: PgTransactions;
  let backbone: EventBackbone;
  let topic: string;
  let deadLetterReader: RawTopicReader;
  /** Every dead letter of the group so far, by the offset it had in its origin topic. */
  const deadLetters = new Map<string, RawMessage>();
  let aValidMessage: Buffer;

  beforeAll(async () => {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
    await db.query('CREATE TABLE effects (event_id uuid NOT NULL)');
    backbone = await startEventBackbone({
      serviceName: 'malformed-messages-test',
      settings: {
        KAFKA_BROKERS: kafkaBrokers,
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        TOPIC_PREFIX: `test.${randomUUID().slice(0, 8)}.`,
        KAFKA_TOPIC_PARTITIONS: 1,
        KAFKA_REPLICATION_FACTOR: 1,
      },
      databaseUrl: database.url,
      logger,
      publishesEvents: false,
    });
    topic = topicName('orders', backbone.topicPrefix);
    aValidMessage = await backbone.codec.encode('OrderConfirmed', sampleEvents.OrderConfirmed);
    await backbone.consume<SqlExecutor>({
      groupId,
      topics: ['orders'],
      handlers: {
        OrderConfirmed: async (event, tx) => {
          await tx.$executeRawUnsafe('INSERT INTO effects (event_id) VALUES ($1::uuid)', event.eventId);
        },
      },
      runInTransaction: db.runInTransaction,
      logger,
      // Short, so a malformed message wrongly treated as retriable shows as attempts > 1, not as a slow test.
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
    });
    deadLetterReader = await startRawTopicReader(backbone.kafka, {
      groupId: `dead-letter-reader-${randomUUID()}`,
      topics: [deadLetterTopic(backbone.topicPrefix, groupId)],
      onBatch: async ({ messages }) => {
        for (const message of messages)
          deadLetters.set(String(message.headers?.[DEAD_LETTER_HEADERS.originOffset]), message);
      },
    });
  });

  afterAll(async () => {
    await deadLetterReader?.stop();
    await backbone?.stop();
    await db?.close();
    await database?.drop();
  });

  const aKey = fc.option(
    fc.oneof(
      fc.uuid().map((id) => Buffer.from(id)),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
    ),
  );
  const someHeaders: fc.Arbitrary<KafkaHeaders> = fc.oneof(
    fc.constant({}),
    fc.record({
      traceparent: fc.oneof(
        fc.string(),
        fc.constant('00-00000000000000000000000000000000-0000000000000000-00'),
      ),
      'event-type': fc.constantFrom('OrderConfirmed', 'NoSuchEvent', ''),
      // A producer's own dlq-* headers must not pass for the consumer's.
      [DEAD_LETTER_HEADERS.errorCode]: fc.constant('SPOOFED'),
      binary: fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
    }),
  );
  const malformed = (codes: readonly string[]) => (value: Buffer | null) => ({ value, codes });
  const aMalformedValue = fc.oneof(
    fc.constant(null).map(malformed(['EMPTY_MESSAGE'])),
    fc.constant(Buffer.alloc(0)).map(malformed(['EMPTY_MESSAGE'])),
    fc
      .integer({ min: 1, max: 4 })
      .map((length) => aValidMessage.subarray(0, length))
      .map(malformed(['TRUNCATED'])),
    fc
      .integer({ min: 1, max: 255 })
      .map((magic) => Buffer.concat([Buffer.from([magic]), aValidMessage.subarray(1)]))
      .map(malformed(['BAD_MAGIC_BYTE'])),
    fc
      .integer({ min: 2 ** 30, max: 2 ** 31 - 1 })
      .map((schemaId) => {
        const message = Buffer.from(aValidMessage);
        message.writeInt32BE(schemaId, 1);
        return message;
      })
      .map(malformed(['UNKNOWN_SCHEMA_ID'])),
    fc
      .nat()
      .map((cut) => aValidMessage.subarray(0, 5 + (cut % (aValidMessage.length - 5))))
      .map(malformed(['TRUNCATED'])),
  );
  const aMalformedMessage: fc.Arbitrary<MalformedMessage> = fc
    .tuple(aKey, aMalformedValue, someHeaders)
    .map(([key, { value, codes }, headers]) => ({ key, value, headers, codes }));

  it('when malformed messages arrive, then each is dead-lettered at once with its origin and code, and the good events after them are applied once', () =>
    fc
      .assert(
        fc.asyncProperty(
          fc.array(aMalformedMessage, { minLength: 1, maxLength: 4 }),
          aKey,
          async (bad, goodKey) => {
            const good: OrderConfirmed = {
              ...sampleEvents.OrderConfirmed,
              eventId: randomUUID(),
              orderId: randomUUID(),
            };
            const producer = backbone.kafka.producer();
            await producer.connect();
            const [sent] = await producer
              .send({
                topic,
                acks: -1,
                messages: [
                  ...bad.map(({ key, value, headers }) => ({ key, value, headers })),
                  // A valid event with no key is still applied: nothing in handling depends on the key.
                  { key: goodKey, value: await backbone.codec.encode('OrderConfirmed', good) },
                ],
              })
              .finally(() => producer.disconnect());
            const firstOffset = BigInt(sent?.baseOffset ?? '0');

            await waitFor('the good event after the malformed ones', async () => {
              const rows = await db.query('SELECT 1 FROM effects WHERE event_id = $1', [good.eventId]);
              return rows.length > 0;
            });
            for (const [index, message] of bad.entries()) {
              const offset = String(firstOffset + BigInt(index));
              const letter = await waitFor(`the dead letter of offset ${offset}`, () =>
                deadLetters.get(offset),
              );
              const headers = Object.fromEntries(
                Object.entries(letter.headers ?? {}).map(([name, value]) => [name, String(value)]),
              );
              expect(headers).toMatchObject({
                [DEAD_LETTER_HEADERS.originTopic]: topic,
                [DEAD_LETTER_HEADERS.originPartition]: '0',
                // The Kafka group, which carries the topic prefix (the dead-letter topic has the name).
                [DEAD_LETTER_HEADERS.consumerGroup]: consumerGroupId(backbone.topicPrefix, groupId),
                [DEAD_LETTER_HEADERS.attempts]: '1',
                [DEAD_LETTER_HEADERS.errorMessage]: expect.any(String),
                [DEAD_LETTER_HEADERS.errorStack]: expect.any(String),
              });
              expect(message.codes).toContain(headers[DEAD_LETTER_HEADERS.errorCode]);
              expect(Number.isNaN(Date.parse(headers[DEAD_LETTER_HEADERS.failedAt] ?? ''))).toBe(false);
              // The original bytes, so a replay after a fix sends exactly what was produced.
              expect(letter.key ?? null).toEqual(message.key);
              expect(letter.value?.length ? letter.value : null).toEqual(
                message.value?.length ? message.value : null,
              );
            }
          },
        ),
        {
          ...propertyTestParameters({ defaultRuns: 10 }),
          // Was dead-lettered as TRUNCATED, unlike a null value (EMPTY_MESSAGE): one mistake, two codes.
          examples: [[[{ key: null, value: Buffer.alloc(0), headers: {}, codes: ['EMPTY_MESSAGE'] }], null]],
        },
      )
      .then(async () => {
        const applied = await db.query<{ event_id: string; n: number }>(
          'SELECT event_id, count(*)::int AS n FROM effects GROUP BY event_id HAVING count(*) > 1',
        );
        expect(applied).toEqual([]);
      }));
});
