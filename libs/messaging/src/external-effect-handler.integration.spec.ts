import type { SqlExecutor } from '@ecommerce/database';
import {
  createPgTransactions,
  createTestDatabase,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import pino from 'pino';

import { deadLetterTopic } from './dead-letter';
import { readDeadLetters } from './dead-letters/read-dead-letters';
import { EventConsumer, type ConsumedEvent } from './event-consumer';
import { externalEffectHandler, type ExternalEffectHandler } from './external-effect-handler';
import { createTestMessaging, type TestEvent, type TestMessaging } from './testing';

type Events = { TestEvent: TestEvent };
type Handler = ExternalEffectHandler<SqlExecutor, ConsumedEvent<'TestEvent', TestEvent>>;

/**
 * The consumer runtime's second handler form, for effects outside the database: claimed behind the
 * inbox check in a transaction of its own, performed outside any transaction, recorded in the
 * transaction with the inbox row.
 * The effect here is an entry in `performed` (what a mail server or a payment gateway would see),
 * keyed by the claim's id, as an idempotency key would be.
 */
describe('EventConsumer with an ExternalEffectHandler, on a real broker, registry and database', () => {
  let messaging: TestMessaging;
  let database: TestDatabase;
  let db: PgTransactions;
  const consumers: EventConsumer<Events, SqlExecutor>[] = [];
  /** Transactions the consumer (and the handler through it) began in the current test. */
  let transactionsBegun = 0;

  beforeAll(async () => {
    messaging = await createTestMessaging();
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
    await db.query(
      `CREATE TABLE claims (event_id uuid PRIMARY KEY, claim_id uuid NOT NULL DEFAULT gen_random_uuid(),
                            attempts int NOT NULL DEFAULT 1, result text)`,
    );
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
    transactionsBegun = 0;
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  /** One partition, its events produced in order, consumed by a new group with 3 attempts per event. */
  async function consume(name: string, events: TestEvent[], handler: Handler): Promise<string> {
    const topic = `${messaging.topicPrefix}${name}`;
    await messaging.createTopics([topic], 1);
    const producer = messaging.kafka.producer();
    await producer.connect();
    const messages = await Promise.all(
      events.map(async (e) => ({ key: e.key, value: await messaging.encode(e) })),
    );
    await producer.send({ topic, messages });
    await producer.disconnect();
    const groupId = `${topic}-group`;
    const consumer = new EventConsumer<Events, SqlExecutor>({
      kafka: messaging.kafka,
      groupId,
      topics: [topic],
      decoder: messaging.decoder,
      handlers: { TestEvent: handler },
      runInTransaction: (work) => {
        transactionsBegun += 1;
        return db.runInTransaction(work);
      },
      deadLetterTopic: deadLetterTopic(messaging.topicPrefix, groupId),
      deadLetterTopicSettings: { partitions: 1, replicationFactor: 1 },
      logger: pino({ level: 'silent' }),
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
    });
    consumers.push(consumer);
    await consumer.start();
    return groupId;
  }

  /** Claims the event's work (the same claim id on every try, the tries counted). */
  const claim = async (tx: SqlExecutor, eventId: string): Promise<string> => {
    const [claimed] = await tx.$queryRawUnsafe<{ claim_id: string }[]>(
      `INSERT INTO claims (event_id) VALUES ($1::uuid)
       ON CONFLICT (event_id) DO UPDATE SET attempts = claims.attempts + 1
       RETURNING claim_id::text`,
      eventId,
    );
    if (!claimed) throw new Error('the claim returned no row');
    return claimed.claim_id;
  };
  const record = async (tx: SqlExecutor, eventId: string, result: string): Promise<void> =>
    void (await tx.$executeRawUnsafe(
      'UPDATE claims SET result = $2 WHERE event_id = $1::uuid',
      eventId,
      result,
    ));
  const claimOf = async (eventId: string) =>
    (
      await db.query<{ attempts: number; result: string | null }>(
        'SELECT attempts, result FROM claims WHERE event_id = $1::uuid',
        [eventId],
      )
    )[0];
  const transactionsOpen = async () =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      )
    )[0]?.n;

  it("when the event is delivered twice, then its effect is performed once, outside any transaction, and recorded with the inbox row; the inbox is checked in the claim's transaction, which the duplicate rolls back", async () => {
    const once = messaging.newEvent('twice', 1);
    const after = messaging.newEvent('twice', 2);
    const performed: { eventId: string; claimId: string; transactionsOpen: number | undefined }[] = [];
    await consume(
      'twice',
      [once, once, after],
      externalEffectHandler({
        claim: (event, tx) => claim(tx, event.eventId),
        perform: async (claimId, event) => {
          performed.push({ eventId: event.eventId, claimId, transactionsOpen: await transactionsOpen() });
          return (tx) => record(tx, event.eventId, `performed as ${claimId}`);
        },
      }),
    );

    await waitFor(
      'the event after the duplicate to be recorded',
      async () => (await claimOf(after.eventId))?.result,
    );
    expect(performed.map((p) => [p.eventId, p.transactionsOpen])).toEqual([
      [once.eventId, 0],
      [after.eventId, 0],
    ]);
    // The duplicate claimed behind the check, saw its inbox row and rolled its claim back: one attempt.
    expect(await claimOf(once.eventId)).toEqual({
      attempts: 1,
      result: `performed as ${performed[0]?.claimId}`,
    });
    const inbox = await db.query('SELECT 1 FROM inbox WHERE event_id = $1::uuid', [once.eventId]);
    expect(inbox).toHaveLength(1);
    // Every database transaction the consumer ran: a claim (with the check) and a record for each
    // event performed, the duplicate's claim rolled back. The consumer has no other way to the
    // database; the check in an autocommit statement of its own, as before, made it 4 + 3.
    expect(transactionsBegun).toBe(5);
  });

  it('when the claim fails on an event applied before, then that is the duplicate, not a failure: nothing is performed or dead-lettered and the partition moves on', async () => {
    const applied = messaging.newEvent('claim-refuses', 1);
    const after = messaging.newEvent('claim-refuses', 2);
    const performedFor: string[] = [];
    const groupId = await consume(
      'claim-refuses',
      [applied, applied, after],
      externalEffectHandler({
        // A claim that refuses finished work, as a handler's may (the order is settled, the mail sent).
        claim: async (event, tx) => {
          if ((await claimOf(event.eventId))?.result) throw new Error('this work is finished already');
          return claim(tx, event.eventId);
        },
        perform: async (claimId, event) => {
          performedFor.push(event.eventId);
          return (tx) => record(tx, event.eventId, `performed as ${claimId}`);
        },
      }),
    );

    await waitFor(
      'the event after the duplicate to be recorded',
      async () => (await claimOf(after.eventId))?.result,
    );
    expect(performedFor).toEqual([applied.eventId, after.eventId]);
    expect(await claimOf(applied.eventId)).toMatchObject({ attempts: 1 });
    expect(await readDeadLetters(messaging.kafka, deadLetterTopic(messaging.topicPrefix, groupId))).toEqual(
      [],
    );
  });

  it('when recording fails after the effect, then the retry performs the same claimed work again, once, and records it', async () => {
    const event = messaging.newEvent('record-fails', 1);
    const claimIds: string[] = [];
    let recordings = 0;
    await consume(
      'record-fails',
      [event],
      externalEffectHandler({
        claim: (consumed, tx) => claim(tx, consumed.eventId),
        perform: async (claimId, consumed) => {
          claimIds.push(claimId);
          return async (tx) => {
            if ((recordings += 1) === 1)
              throw new Error('the database went away before the result was recorded');
            await record(tx, consumed.eventId, 'recorded');
          };
        },
      }),
    );

    await waitFor('the result to be recorded', async () => (await claimOf(event.eventId))?.result);
    expect(claimIds).toHaveLength(2);
    expect(new Set(claimIds).size).toBe(1);
    expect(await claimOf(event.eventId)).toEqual({ attempts: 2, result: 'recorded' });
  });

  it('when performing keeps failing, then the event spends its attempts, is dead-lettered with nothing recorded, and the partition moves on', async () => {
    const failing = messaging.newEvent('perform-fails', 1, 'unreachable');
    const healthy = messaging.newEvent('perform-fails', 2);
    const groupId = await consume(
      'perform-fails',
      [failing, healthy],
      externalEffectHandler({
        claim: (event, tx) => claim(tx, event.eventId),
        perform: async (_claimId, event) => {
          if (event.payload.note === 'unreachable') throw new Error('the mail server refused the message');
          return (tx) => record(tx, event.eventId, 'sent');
        },
      }),
    );

    await waitFor('the next event to be recorded', async () => (await claimOf(healthy.eventId))?.result);
    const [letter] = await waitFor('the dead letter', async () => {
      const found = await readDeadLetters(messaging.kafka, deadLetterTopic(messaging.topicPrefix, groupId));
      return found.length > 0 && found;
    });
    expect(letter).toMatchObject({ attempts: 3, errorMessage: 'the mail server refused the message' });
    expect(await claimOf(failing.eventId)).toEqual({ attempts: 3, result: null });
    expect(await db.query('SELECT 1 FROM inbox WHERE event_id = $1::uuid', [failing.eventId])).toEqual([]);
  });
});
