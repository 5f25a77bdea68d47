import {
  createPgTransactions,
  createTestDatabase,
  freePort,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import { createSqlTransactions, type SqlExecutor } from '@ecommerce/database';
import { proxyDatabase } from '@ecommerce/fault-proxy';
import { Client } from 'pg';
import pino from 'pino';

import { deadLetterTopic } from './dead-letter';
import { readDeadLetters } from './dead-letters/read-dead-letters';
import { replayDeadLetters } from './dead-letters/replay-dead-letters';
import { EventConsumer, type ConsumedEvent, type EventConsumerOptions } from './event-consumer';
import { PermanentFailure } from './failure';
import { createTestMessaging, type TestEvent, type TestMessaging } from './testing';

const logger = pino({ level: 'silent' });

type Events = { TestEvent: TestEvent };

describe('EventConsumer on a real broker, registry and database', () => {
  let messaging: TestMessaging;
  let database: TestDatabase;
  let db: PgTransactions;
  const consumers: EventConsumer<Events, SqlExecutor>[] = [];

  beforeAll(async () => {
    messaging = await createTestMessaging();
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
    await db.query(
      'CREATE TABLE effects (event_id uuid, key text, sequence int, applied_at timestamptz DEFAULT now())',
    );
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  async function startConsumer(
    topic: string,
    groupId: string,
    handle: (event: ConsumedEvent<'TestEvent', TestEvent>, tx: SqlExecutor) => Promise<void>,
    overrides: Partial<EventConsumerOptions<Events, SqlExecutor>> = {},
  ) {
    const consumer = new EventConsumer<Events, SqlExecutor>({
      kafka: messaging.kafka,
      groupId,
      topics: [topic],
      decoder: messaging.decoder,
      handlers: { TestEvent: handle },
      runInTransaction: db.runInTransaction,
      deadLetterTopic: deadLetterTopic(messaging.topicPrefix, groupId),
      deadLetterTopicSettings: { partitions: 1, replicationFactor: 1 },
      logger,
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
      ...overrides,
    });
    consumers.push(consumer);
    await consumer.start();
    return consumer;
  }

  const recordEffect = async (event: ConsumedEvent<'TestEvent', TestEvent>, tx: SqlExecutor) => {
    await tx.$executeRawUnsafe(
      'INSERT INTO effects (event_id, key, sequence) VALUES ($1::uuid, $2, $3)',
      event.payload.eventId,
      event.payload.key,
      event.payload.sequence,
    );
  };

  async function produce(topic: string, events: TestEvent[]): Promise<void> {
    const producer = messaging.kafka.producer();
    await producer.connect();
    try {
      for (const event of events) {
        await producer.send({ topic, messages: [{ key: event.key, value: await messaging.encode(event) }] });
      }
    } finally {
      await producer.disconnect();
    }
  }

  const effectsOf = (key: string) =>
    db.query<{ event_id: string; sequence: number }>(
      'SELECT event_id, sequence FROM effects WHERE key = $1 ORDER BY applied_at',
      [key],
    );

  it('when the same event is delivered twice, then it has exactly one effect', async () => {
    const topic = `${messaging.topicPrefix}duplicates`;
    await messaging.createTopics([topic]);
    const once = messaging.newEvent('dup', 1);
    const after = messaging.newEvent('dup', 2);
    await produce(topic, [once, once, after]);

    await startConsumer(topic, `${messaging.topicPrefix}duplicates-group`, recordEffect);

    await waitFor(
      'the event after the duplicate to be applied',
      async () => (await effectsOf('dup')).length >= 2,
    );
    expect((await effectsOf('dup')).map((row) => row.sequence)).toEqual([1, 2]);
    const inbox = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox WHERE event_id = $1', [
      once.eventId,
    ]);
    expect(inbox).toEqual([{ n: 1 }]);
  });

  it('when a duplicate delivery fails in its handler because its effect is there already, then it is a duplicate: one effect, nothing retried or dead-lettered', async () => {
    // The handler runs behind the inbox claim, before its answer is read: on a duplicate it may
    // fail (here on a unique key), and that failure must not count against the event.
    const topic = `${messaging.topicPrefix}duplicate-fails`;
    const groupId = `${messaging.topicPrefix}duplicate-fails-group`;
    await messaging.createTopics([topic], 1);
    await db.query('CREATE TABLE IF NOT EXISTS unique_effects (event_id uuid PRIMARY KEY)');
    const once = messaging.newEvent('dup-fails', 1);
    const after = messaging.newEvent('dup-fails', 2);
    await produce(topic, [once, once, after]);

    const attempts: string[] = [];
    await startConsumer(topic, groupId, async (event, tx) => {
      attempts.push(event.payload.eventId);
      await tx.$executeRawUnsafe(
        'INSERT INTO unique_effects (event_id) VALUES ($1::uuid)',
        event.payload.eventId,
      );
      await recordEffect(event, tx);
    });

    await waitFor(
      'the event after the duplicate to be applied',
      async () => (await effectsOf('dup-fails')).length >= 2,
    );
    expect((await effectsOf('dup-fails')).map((row) => row.sequence)).toEqual([1, 2]);
    expect(attempts).toEqual([once.eventId, once.eventId, after.eventId]); // the duplicate once, not retried
    expect(await readDeadLetters(messaging.kafka, deadLetterTopic(messaging.topicPrefix, groupId))).toEqual(
      [],
    );
  });

  it('when an event is handled, then the handler does not wait for the inbox claim to be answered (they share a round trip)', async () => {
    const topic = `${messaging.topicPrefix}claim-pipelined`;
    const groupId = `${messaging.topicPrefix}claim-pipelined-group`;
    await messaging.createTopics([topic], 1);
    const event = messaging.newEvent('claim-pipelined', 1);
    await produce(topic, [event]);

    // What crosses the wire to PostgreSQL, in order, through a proxy that delays each direction.
    const seen: string[] = [];
    const { proxy, url } = await proxyDatabase(database.url, {
      mode: { kind: 'delay', ms: 50 },
      tap: (direction, chunk) => {
        const text = chunk.toString('latin1');
        if (direction === 'up' && text.includes('INSERT INTO inbox')) seen.push('claim sent');
        if (direction === 'up' && text.includes('/* handler */')) seen.push('handler statement sent');
        if (direction === 'down' && text.includes('INSERT 0 1\0')) seen.push('an insert answered');
      },
    });
    const proxied = createSqlTransactions(
      url,
      { DATABASE_TRANSACTION_TIMEOUT_MS: 5_000, DATABASE_TRANSACTION_MAX_WAIT_MS: 5_000 },
      () => undefined,
    );
    try {
      await startConsumer(
        topic,
        groupId,
        async (consumed, tx) => {
          await tx.$executeRawUnsafe(
            '/* handler */ INSERT INTO effects (event_id, key, sequence) VALUES ($1::uuid, $2, $3)',
            consumed.payload.eventId,
            consumed.payload.key,
            consumed.payload.sequence,
          );
        },
        { runInTransaction: proxied.runInTransaction },
      );
      await waitFor('the event to be applied', async () => (await effectsOf('claim-pipelined')).length === 1);
      expect(seen.slice(0, 3)).toEqual(['claim sent', 'handler statement sent', 'an insert answered']);
    } finally {
      await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
      await proxied.close();
      await proxy.stop();
    }
  });

  it('when a handler keeps failing, then the event is dead-lettered with its origin, the partition moves on, and a replay after the fix applies it', async () => {
    const topic = `${messaging.topicPrefix}poison`;
    const groupId = `${messaging.topicPrefix}poison-group`;
    await messaging.createTopics([topic], 1);
    const poison = messaging.newEvent('poison', 1, 'break');
    const healthy = messaging.newEvent('poison', 2);
    await produce(topic, [poison, healthy]);

    let broken = true;
    await startConsumer(topic, groupId, async (event, tx) => {
      if (broken && event.payload.note === 'break') throw new Error('downstream unavailable');
      await recordEffect(event, tx);
    });

    await waitFor(
      'the message after the poison one to be applied',
      async () => (await effectsOf('poison')).length === 1,
    );
    expect((await effectsOf('poison')).map((row) => row.sequence)).toEqual([2]);

    const dlq = deadLetterTopic(messaging.topicPrefix, groupId);
    const letters = await waitFor('the dead letter', async () => {
      const found = await readDeadLetters(messaging.kafka, dlq);
      return found.length > 0 && found;
    });
    const [letter, ...others] = letters;
    expect(others).toEqual([]);
    expect(letter).toMatchObject({
      originTopic: topic,
      originPartition: 0,
      originOffset: '0',
      attempts: 3,
      errorCode: 'Error',
      errorMessage: 'downstream unavailable',
    });
    expect(letter?.headers['dlq-error-stack']).toContain('downstream unavailable');
    expect(letter?.headers['dlq-consumer-group']).toBe(groupId);

    broken = false;
    expect(await replayDeadLetters(messaging.kafka, dlq, letters)).toBe(1);

    await waitFor('the replayed event to be applied', async () => (await effectsOf('poison')).length === 2);
    expect((await effectsOf('poison')).map((row) => row.event_id)).toEqual([healthy.eventId, poison.eventId]);
  });

  it('when the database is unreachable for longer than the retry budget, then the consumer waits for it and dead-letters nothing', async () => {
    const topic = `${messaging.topicPrefix}outage`;
    const groupId = `${messaging.topicPrefix}outage-group`;
    await messaging.createTopics([topic], 1);
    await produce(topic, [messaging.newEvent('outage', 1), messaging.newEvent('outage', 2)]);

    // The database is "down" for the first tries: each one really connects to a port nothing
    // listens on, so the consumer sees node-postgres's own ECONNREFUSED, as in a restart.
    const unreachable = `postgresql://postgres@127.0.0.1:${await freePort()}/postgres`;
    const triesWhileDown = 3 * 3; // three times the consumer's budget of 3 attempts
    let tries = 0;
    const runInTransaction: PgTransactions['runInTransaction'] = async (work) => {
      tries += 1;
      if (tries <= triesWhileDown) {
        const client = new Client({ connectionString: unreachable });
        await client.connect();
        await client.end();
      }
      return db.runInTransaction(work);
    };
    await startConsumer(topic, groupId, recordEffect, { runInTransaction });

    await waitFor('both events to be applied', async () => (await effectsOf('outage')).length === 2);
    expect((await effectsOf('outage')).map((row) => row.sequence)).toEqual([1, 2]);
    expect(tries).toBe(triesWhileDown + 2);
    expect(await readDeadLetters(messaging.kafka, deadLetterTopic(messaging.topicPrefix, groupId))).toEqual(
      [],
    );
  });

  it('when a handler fails with a window of its own (retryForMs), then it is retried past the attempt budget until it applies', async () => {
    const topic = `${messaging.topicPrefix}waiting`;
    const groupId = `${messaging.topicPrefix}waiting-group`;
    await messaging.createTopics([topic], 1);
    await produce(topic, [messaging.newEvent('waiting', 1)]);

    // As payment's StockReserved waits for its OrderPlaced: not applicable for more tries than the
    // budget of 3 allows, well within its window.
    let tries = 0;
    await startConsumer(topic, groupId, async (event, tx) => {
      tries += 1;
      if (tries <= 7)
        throw Object.assign(new Error('depends on an event not applied yet'), { retryForMs: 60_000 });
      await recordEffect(event, tx);
    });

    await waitFor('the event to be applied', async () => (await effectsOf('waiting')).length === 1);
    expect(tries).toBe(8);
    expect(await readDeadLetters(messaging.kafka, deadLetterTopic(messaging.topicPrefix, groupId))).toEqual(
      [],
    );
  });

  it('when the kafkajs consumer crashes with an error it will not restart on, then the consumer restarts itself and goes on', async () => {
    const topic = `${messaging.topicPrefix}crash`;
    const groupId = `${messaging.topicPrefix}crash-group`;
    await messaging.createTopics([topic], 1);
    await produce(topic, [messaging.newEvent('crash', 1)]);

    // The observer runs inside kafkajs's eachBatch, outside the handler's retries: an error marked
    // non-retriable there crashes the kafkajs consumer for good, as some broker errors do.
    let crashes = 0;
    await startConsumer(topic, groupId, recordEffect, {
      observer: {
        lag: () => {
          if (crashes++ === 0) throw Object.assign(new Error('broker said no'), { retriable: false });
        },
      },
    });

    await waitFor('the crash', () => crashes > 0);
    await produce(topic, [messaging.newEvent('crash', 2)]);
    await waitFor('the event after the crash', async () => (await effectsOf('crash')).length === 2, {
      timeoutMs: 60_000,
    });
    // The event in hand at the crash was redelivered after the restart and applied once.
    expect((await effectsOf('crash')).map((row) => row.sequence)).toEqual([1, 2]);
  });

  it('when a handler fails permanently, then the event is dead-lettered after one attempt', async () => {
    const topic = `${messaging.topicPrefix}permanent`;
    const groupId = `${messaging.topicPrefix}permanent-group`;
    await messaging.createTopics([topic], 1);
    await produce(topic, [messaging.newEvent('permanent', 1, 'reject'), messaging.newEvent('permanent', 2)]);

    await startConsumer(topic, groupId, async (event, tx) => {
      if (event.payload.note === 'reject') throw new PermanentFailure('ORDER_UNKNOWN', 'no such order');
      await recordEffect(event, tx);
    });

    await waitFor('the following event', async () => (await effectsOf('permanent')).length === 1);
    const letters = await waitFor('the dead letter', async () => {
      const found = await readDeadLetters(messaging.kafka, deadLetterTopic(messaging.topicPrefix, groupId));
      return found.length > 0 && found;
    });
    expect(letters.map((l) => [l.attempts, l.errorCode])).toEqual([[1, 'ORDER_UNKNOWN']]);
  });

  it('when stopped while a handler runs, then that event finishes and is committed, and a restart resumes after it', async () => {
    const topic = `${messaging.topicPrefix}graceful`;
    const groupId = `${messaging.topicPrefix}graceful-group`;
    await messaging.createTopics([topic], 1);
    await produce(
      topic,
      [1, 2, 3, 4, 5].map((sequence) => messaging.newEvent('graceful', sequence)),
    );

    let inFlight!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (inFlight = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const consumer = new EventConsumer<Events, SqlExecutor>({
      kafka: messaging.kafka,
      groupId,
      topics: [topic],
      decoder: messaging.decoder,
      handlers: {
        TestEvent: async (event, tx) => {
          if (event.payload.sequence === 3) {
            inFlight();
            await gate;
          }
          await recordEffect(event, tx);
        },
      },
      runInTransaction: db.runInTransaction,
      deadLetterTopic: deadLetterTopic(messaging.topicPrefix, groupId),
      deadLetterTopicSettings: { partitions: 1, replicationFactor: 1 },
      logger,
    });
    await consumer.start();
    await handlerStarted;

    const stopping = consumer.stop();
    release();
    await stopping;

    expect((await effectsOf('graceful')).map((row) => row.sequence)).toEqual([1, 2, 3]);
    const admin = messaging.kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    expect(committed?.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);

    await startConsumer(topic, groupId, recordEffect);
    await waitFor('the rest after a restart', async () => (await effectsOf('graceful')).length === 5);
    expect((await effectsOf('graceful')).map((row) => row.sequence)).toEqual([1, 2, 3, 4, 5]);
  });

  /** The group's committed offsets on `topic`, by partition ('-1' where it committed nothing). */
  async function committedOffsets(groupId: string, topic: string): Promise<Record<number, string>> {
    const admin = messaging.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return Object.fromEntries((committed?.partitions ?? []).map((p) => [p.partition, p.offset]));
    } finally {
      await admin.disconnect();
    }
  }

  /** Produces the events one at a time, each after the previous one's effect, so each is its own batch. */
  async function produceOneBatchAtATime(topic: string, key: string, sequences: number[]): Promise<void> {
    for (const sequence of sequences) {
      await produce(topic, [messaging.newEvent(key, sequence)]);
      await waitFor(`event ${sequence} applied`, async () => (await effectsOf(key)).length === sequence);
    }
  }

  it('when events arrive one batch at a time, then their offsets are not committed per batch, and all are at a stop', async () => {
    const topic = `${messaging.topicPrefix}commit-interval`;
    const groupId = `${messaging.topicPrefix}commit-interval-group`;
    await messaging.createTopics([topic], 1);
    let commits = 0; // what ecommerce_consumer_offset_commits_total counts
    const consumer = await startConsumer(topic, groupId, recordEffect, {
      offsetCommitIntervalMs: 60_000,
      observer: { committed: () => commits++ },
    });

    await produceOneBatchAtATime(topic, 'commit-interval', [1, 2, 3, 4, 5]);
    // kafkajs on its own commits after each batch, before it fetches the next: 4 at least by now.
    expect(await committedOffsets(groupId, topic)).toEqual({ 0: '-1' });
    expect(commits).toBe(0);

    await consumer.stop();
    expect(await committedOffsets(groupId, topic)).toEqual({ 0: '5' });
    expect(commits).toBe(1);
  });

  it('when a consumer goes idle, then what it handled last is committed within the interval', async () => {
    const topic = `${messaging.topicPrefix}commit-idle`;
    const groupId = `${messaging.topicPrefix}commit-idle-group`;
    await messaging.createTopics([topic], 1);
    await startConsumer(topic, groupId, recordEffect, { offsetCommitIntervalMs: 1_500 });

    await produceOneBatchAtATime(topic, 'commit-idle', [1]);
    await waitFor(
      'the first offset committed',
      async () => (await committedOffsets(groupId, topic))[0] === '1',
    );
    // Handled within the interval of that commit, so its batch does not commit it; nothing follows.
    await produceOneBatchAtATime(topic, 'commit-idle', [2]);
    await waitFor('the last offset committed while idle', async () => {
      return (await committedOffsets(groupId, topic))[0] === '2';
    });
  });

  it('when an event is dead-lettered, then its offset is committed at once, not at the interval', async () => {
    const topic = `${messaging.topicPrefix}commit-dead-letter`;
    const groupId = `${messaging.topicPrefix}commit-dead-letter-group`;
    await messaging.createTopics([topic], 1);
    await produce(topic, [messaging.newEvent('commit-dead-letter', 1)]);
    await startConsumer(
      topic,
      groupId,
      async () => {
        throw new PermanentFailure('ORDER_UNKNOWN', 'no such order');
      },
      { offsetCommitIntervalMs: 60_000 },
    );

    await waitFor(
      'the dead letter committed',
      async () => (await committedOffsets(groupId, topic))[0] === '1',
    );
  });

  it('when a member joins the group, then what the first handled is committed at the rebalance and not handled again', async () => {
    const topic = `${messaging.topicPrefix}commit-rebalance`;
    const groupId = `${messaging.topicPrefix}commit-rebalance-group`;
    await messaging.createTopics([topic], 2);
    const handledBy: string[] = [];
    const handler =
      (member: string) => async (event: ConsumedEvent<'TestEvent', TestEvent>, tx: SqlExecutor) => {
        handledBy.push(`${member}:${event.payload.sequence}`);
        await recordEffect(event, tx);
      };
    await startConsumer(topic, groupId, handler('first'), { offsetCommitIntervalMs: 60_000 });
    // Keys spread over both partitions; all handled by the only member.
    await produce(
      topic,
      [1, 2, 3, 4, 5, 6].map((sequence) => messaging.newEvent(`commit-rebalance-${sequence}`, sequence)),
    );
    await waitFor('all six applied', async () => handledBy.length === 6);
    expect(await committedOffsets(groupId, topic)).toEqual({ 0: '-1', 1: '-1' });

    await startConsumer(topic, groupId, handler('second'), { offsetCommitIntervalMs: 60_000 });
    await waitFor('the six offsets committed at the rebalance', async () => {
      const offsets = Object.values(await committedOffsets(groupId, topic));
      return offsets.reduce((sum, offset) => sum + Math.max(0, Number(offset)), 0) === 6;
    });
    // Whichever member the seventh goes to, nothing before it is handled again.
    await produce(topic, [messaging.newEvent('commit-rebalance-7', 7)]);
    await waitFor('the seventh applied', async () => handledBy.length >= 7);
    expect(handledBy.filter((entry) => !entry.endsWith(':7')).sort()).toEqual(
      [1, 2, 3, 4, 5, 6].map((sequence) => `first:${sequence}`),
    );
  });

  it('when a message is not a decodable event, then it is dead-lettered and the partition moves on', async () => {
    const topic = `${messaging.topicPrefix}garbage`;
    const groupId = `${messaging.topicPrefix}garbage-group`;
    await messaging.createTopics([topic], 1);
    const producer = messaging.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'garbage', value: Buffer.from('not avro at all') }] });
    await producer.disconnect();
    await produce(topic, [messaging.newEvent('garbage', 1)]);

    await startConsumer(topic, groupId, recordEffect);

    await waitFor('the event after the garbage', async () => (await effectsOf('garbage')).length === 1);
    const letters = await readDeadLetters(messaging.kafka, deadLetterTopic(messaging.topicPrefix, groupId));
    expect(letters.map((l) => l.value?.toString())).toEqual(['not avro at all']);
  });

  describe('with a transaction per batch (transactionPerBatch)', () => {
    beforeAll(async () => {
      // Which transaction applied each effect, and in what order.
      await db.query(
        'ALTER TABLE effects ADD COLUMN id bigserial, ADD COLUMN txid bigint DEFAULT txid_current()',
      );
    });

    /** What was applied for `key`, in the order it was applied, and in how many transactions. */
    async function appliedFor(key: string): Promise<{ sequences: number[]; transactions: number }> {
      const rows = await db.query<{ sequence: number; txid: string }>(
        'SELECT sequence, txid::text FROM effects WHERE key = $1 ORDER BY id',
        [key],
      );
      return {
        sequences: rows.map((row) => row.sequence),
        transactions: new Set(rows.map((row) => row.txid)).size,
      };
    }

    /** The handler: records each call's sequence in `attempts`, then applies the event. */
    const recordingAttempts =
      (attempts: number[], reject?: (event: TestEvent) => boolean) =>
      async (event: ConsumedEvent<'TestEvent', TestEvent>, tx: SqlExecutor) => {
        attempts.push(event.payload.sequence);
        if (reject?.(event.payload)) throw new PermanentFailure('ORDER_UNKNOWN', 'no such order');
        await recordEffect(event, tx);
      };

    /** As if `groupId` had applied `event` before (a redelivery after a crash, say). */
    const appliedBefore = (groupId: string, event: TestEvent) =>
      db.query('INSERT INTO inbox (consumer_group, event_id, event_type) VALUES ($1, $2::uuid, $3)', [
        groupId,
        event.eventId,
        'TestEvent',
      ]);

    /** Produces `events` to a new one-partition topic before the consumer starts: its first fetch holds them all. */
    async function batchOf(name: string, events: TestEvent[]) {
      const topic = `${messaging.topicPrefix}${name}`;
      await messaging.createTopics([topic], 1);
      await produce(topic, events);
      return { topic, groupId: `${topic}-group` };
    }

    it("when a fetched batch holds several events, then they are applied in the partition's order in one transaction", async () => {
      const events = [1, 2, 3, 4, 5].map((sequence) => messaging.newEvent('together', sequence));
      const { topic, groupId } = await batchOf('together', events);

      await startConsumer(topic, groupId, recordEffect, { transactionPerBatch: true });

      await waitFor(
        'the batch to be applied',
        async () => (await appliedFor('together')).sequences.length === 5,
      );
      expect(await appliedFor('together')).toEqual({ sequences: [1, 2, 3, 4, 5], transactions: 1 });
      const inbox = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM inbox WHERE consumer_group = $1',
        [groupId],
      );
      expect(inbox).toEqual([{ n: 5 }]);
    });

    it("when lockBatch is given, then it runs first in the batch's transaction, with the batch's events", async () => {
      const events = [1, 2, 3].map((sequence) => messaging.newEvent('locked-first', sequence));
      const { topic, groupId } = await batchOf('locked-first', events);
      const calls: { sequences: number[]; txid: string; effectsBefore: number }[] = [];

      await startConsumer(topic, groupId, recordEffect, {
        transactionPerBatch: true,
        lockBatch: async (batch, tx) => {
          const [row] = await tx.$queryRawUnsafe<{ txid: string; effects: number }[]>(
            "SELECT txid_current()::text AS txid, (SELECT count(*)::int FROM effects WHERE key = 'locked-first') AS effects",
          );
          calls.push({
            sequences: batch.map((event) => event.payload.sequence),
            txid: row?.txid ?? '',
            effectsBefore: row?.effects ?? -1,
          });
        },
      });

      await waitFor('the batch', async () => (await appliedFor('locked-first')).sequences.length === 3);
      const [txid] = await db.query<{ txid: string }>(
        "SELECT DISTINCT txid::text FROM effects WHERE key = 'locked-first'",
      );
      expect(calls).toEqual([{ sequences: [1, 2, 3], txid: txid?.txid, effectsBefore: 0 }]);
    });

    it('when one event of a batch fails for good, then the others are applied once each and it alone is dead-lettered', async () => {
      const events = [1, 2, 3, 4, 5].map((sequence) =>
        messaging.newEvent('one-fails', sequence, sequence === 3 ? 'reject' : undefined),
      );
      const { topic, groupId } = await batchOf('one-fails', events);
      const attempts: number[] = [];

      await startConsumer(
        topic,
        groupId,
        recordingAttempts(attempts, (event) => event.note === 'reject'),
        { transactionPerBatch: true },
      );

      const letters = await waitFor('the dead letter', async () => {
        const found = await readDeadLetters(messaging.kafka, deadLetterTopic(messaging.topicPrefix, groupId));
        return found.length > 0 && found;
      });
      await waitFor(
        'the events after it',
        async () => (await appliedFor('one-fails')).sequences.length === 4,
      );
      expect(letters.map((letter) => [letter.originOffset, letter.attempts, letter.errorCode])).toEqual([
        ['2', 1, 'ORDER_UNKNOWN'],
      ]);
      // The batch's transaction rolled back at 3; then each event was applied alone.
      expect(await appliedFor('one-fails')).toEqual({ sequences: [1, 2, 4, 5], transactions: 4 });
      expect(attempts).toEqual([1, 2, 3, 1, 2, 3, 4, 5]);
    });

    it('when a batch holds events applied before, or one event twice, then each is applied once', async () => {
      const [first, second, third, fourth] = [1, 2, 3, 4].map((sequence) =>
        messaging.newEvent('seen', sequence),
      ) as [TestEvent, TestEvent, TestEvent, TestEvent];
      const { topic, groupId } = await batchOf('seen', [first, second, second, third, fourth]);
      await appliedBefore(groupId, third);

      await startConsumer(topic, groupId, recordEffect, { transactionPerBatch: true });

      await waitFor('the fourth event', async () => (await appliedFor('seen')).sequences.includes(4));
      expect(await appliedFor('seen')).toEqual({ sequences: [1, 2, 4], transactions: 1 });
    });

    it("when the batch's first event was applied before, then the batch is applied one by one and that event is skipped", async () => {
      const [first, ...others] = [1, 2, 3].map((sequence) => messaging.newEvent('first-seen', sequence)) as [
        TestEvent,
        ...TestEvent[],
      ];
      const { topic, groupId } = await batchOf('first-seen', [first, ...others]);
      await appliedBefore(groupId, first);
      const attempts: number[] = [];

      await startConsumer(topic, groupId, recordingAttempts(attempts), { transactionPerBatch: true });

      await waitFor('the last event', async () => (await appliedFor('first-seen')).sequences.includes(3));
      expect(await appliedFor('first-seen')).toEqual({ sequences: [2, 3], transactions: 2 });
      // The first ran in the batch before its claim was answered, then alone, as a duplicate.
      expect(attempts).toEqual([1, 1, 2, 3]);
      expect(await readDeadLetters(messaging.kafka, deadLetterTopic(messaging.topicPrefix, groupId))).toEqual(
        [],
      );
    });
  });
});
