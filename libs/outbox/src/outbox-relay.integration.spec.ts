import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import type { SqlExecutor } from '@ecommerce/database';
import { FaultProxy } from '@ecommerce/fault-proxy';
import { EventConsumer, deadLetterTopic } from '@ecommerce/messaging';
import { testInfrastructure, waitFor } from '@ecommerce/test-infra';
import { createTestMessaging, type TestEvent, type TestMessaging } from '@ecommerce/messaging/testing';
import { Client } from 'pg';

import { RELAY_STATEMENTS, type OutboxBacklog } from './outbox-table';
import { createOutboxTestBed, silentLogger as logger, type OutboxTestBed } from './testing/outbox-test-bed';
import { writeOutboxMessage } from './write-outbox-message';

const workspaceRoot = join(__dirname, '..', '..', '..');

/** A transaction on a connection of its own, driven step by step by the test. */
interface OpenTransaction {
  /** Its backend's process id, to see in pg_stat_activity whether it waits for a lock. */
  pid: number;
  tx: SqlExecutor;
  commit(): Promise<void>;
}

describe('OutboxRelay on a real broker and database', () => {
  let messaging: TestMessaging;
  let bed: OutboxTestBed;

  beforeAll(async () => {
    messaging = await createTestMessaging();
  });

  beforeEach(async () => {
    bed = await createOutboxTestBed(messaging);
  });

  afterEach(async () => {
    await bed.close();
  });

  async function begin(): Promise<OpenTransaction> {
    const client = new Client({ connectionString: bed.database.url });
    await client.connect();
    bed.onClose(() => client.end());
    await client.query('BEGIN');
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return {
      pid: rows[0]?.pid ?? 0,
      tx: {
        $executeRawUnsafe: async (query, ...values) => (await client.query(query, values)).rowCount ?? 0,
        $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) =>
          (await client.query(query, values)).rows as T,
      },
      commit: async () => void (await client.query('COMMIT')),
    };
  }

  it('when transactions commit out of id order, then every row is published and each key in its commit order', async () => {
    const topic = `${messaging.topicPrefix}ordered`;
    await messaging.createTopics([topic]);
    // Each key is an aggregate: its writers serialise on its row, as the services' use cases do on
    // an order or a product, so per key, ids and commits follow the same order. Across keys they
    // need not: the schedule below commits rows after rows with larger ids, while the relay runs.
    await bed.db.query('CREATE TABLE aggregates (key text PRIMARY KEY, version int NOT NULL)');
    const pairs = [
      ['key-a', 'key-b'],
      ['key-c', 'key-d'],
    ] as const;
    await bed.db.query(`INSERT INTO aggregates SELECT unnest($1::text[]), 0`, [pairs.flat()]);
    const received = await bed.collect(topic);
    bed.startRelay();

    const committed: bigint[] = [];
    /** The next event of `key` in transaction `writer`: the aggregate's new version is its sequence. */
    async function writeNext(writer: OpenTransaction, key: string): Promise<bigint> {
      const [{ version }] = await writer.tx.$queryRawUnsafe<[{ version: number }]>(
        'UPDATE aggregates SET version = version + 1 WHERE key = $1 RETURNING version',
        key,
      );
      const event = messaging.newEvent(key, version);
      await writeOutboxMessage(writer.tx, {
        eventId: event.eventId,
        eventType: 'TestEvent',
        topic,
        key,
        payload: await messaging.encode(event),
        headers: {},
      });
      const [{ id }] = await writer.tx.$queryRawUnsafe<[{ id: string }]>(
        'SELECT id FROM outbox WHERE event_id = $1::uuid',
        event.eventId,
      );
      return BigInt(id);
    }
    const commit = async (writer: OpenTransaction, id: bigint) => {
      await writer.commit();
      committed.push(id);
    };
    const published = (id: bigint) =>
      waitFor(`row ${id} to be published`, async () => {
        const rows = await bed.db.query('SELECT 1 FROM outbox WHERE id = $1 AND published_at IS NOT NULL', [
          String(id),
        ]);
        return rows.length === 1;
      });
    const waitingForLock = (writer: OpenTransaction) =>
      waitFor('the writer to wait for its aggregate’s row lock', async () => {
        const rows = await bed.db.query(
          `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
          [writer.pid],
        );
        return rows.length === 1;
      });

    const rounds = 3;
    await Promise.all(
      pairs.map(async ([a, b]) => {
        for (let round = 0; round < rounds; round++) {
          // a's second writer begins first: its transaction is the older one, its row the later.
          const a2 = await begin();
          const a1 = await begin();
          const b1 = await begin();
          const a1Id = await writeNext(a1, a);
          const b1Id = await writeNext(b1, b);
          await commit(b1, b1Id);
          // The relay has published past a1's id while a1 is still open: a1 commits after it.
          await published(b1Id);
          const a2Written = writeNext(a2, a);
          await waitingForLock(a2);
          await commit(a1, a1Id);
          const a2Id = await a2Written;
          const b2 = await begin();
          const b2Id = await writeNext(b2, b);
          await commit(b2, b2Id);
          await published(b2Id);
          await commit(a2, a2Id);
        }
      }),
    );

    // The schedule did commit rows after rows with larger ids (twice per round and pair at least).
    const committedAfterALargerId = committed.filter((id, i) =>
      committed.slice(0, i).some((earlier) => earlier > id),
    );
    expect(committedAfterALargerId.length).toBeGreaterThanOrEqual(rounds * pairs.length * 2);

    const perKey = rounds * 2;
    await waitFor('every row to be published', async () => (await bed.unpublished()) === 0);
    await waitFor(
      'every event to arrive',
      () => new Set(received.map((e) => e.eventId)).size >= pairs.flat().length * perKey,
    );
    for (const key of pairs.flat()) {
      const seen = new Set<string>();
      const firstArrivals = received.filter(
        (e) => e.key === key && !seen.has(e.eventId) && seen.add(e.eventId),
      );
      expect(firstArrivals.map((e) => e.sequence)).toEqual(Array.from({ length: perKey }, (_, i) => i + 1));
    }
  });

  it('when a row commits while the relay idles, then the commit wakes it (no waiting for the poll)', async () => {
    const topic = `${messaging.topicPrefix}wake`;
    await messaging.createTopics([topic]);
    const { isLeading } = bed.startRelay({ pollIntervalMs: 60_000 });
    await waitFor('the relay to lead', () => isLeading());
    await bed.writeEvents(topic, [messaging.newEvent('wake', 1)]);
    // The poll is a minute away: only the commit's NOTIFY can get the row out within the deadline.
    await waitFor('the row to be published', async () => (await bed.unpublished()) === 0, {
      timeoutMs: 5_000,
    });
  });

  /**
   * A proxy in front of the relay's session that counts how often it executes each of its prepared
   * statements: every execution's Bind message names the statement, and so does its Parse, once per
   * session, followed by the statement's text.
   */
  async function countingRelayStatements(): Promise<{
    databaseUrl: string;
    /** Reads of waiting rows, with or without marks. */
    reads(): number;
    /** Marks that went in a statement of their own. */
    marksAlone(): number;
  }> {
    const databaseUrl = new URL(bed.database.url);
    let sent = '';
    const databaseProxy = await FaultProxy.start({
      target: { host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) },
      tap: (direction, chunk) => {
        if (direction === 'up') sent += chunk.toString('latin1');
      },
    });
    bed.onClose(() => databaseProxy.stop());
    const occurrences = (text: string) => sent.split(text).length - 1;
    const executions = (statement: string, textStart: string) =>
      occurrences(statement) - occurrences(`${statement}\u0000${textStart}`);
    databaseUrl.host = databaseProxy.address;
    return {
      databaseUrl: databaseUrl.toString(),
      reads: () => executions(RELAY_STATEMENTS.selectWaitingRows, 'WITH'),
      marksAlone: () => executions(RELAY_STATEMENTS.markPublished, 'UPDATE'),
    };
  }

  it('when a batch shorter than its caps is published, then the relay reads again only when a commit wakes it, and stays ready while idle', async () => {
    const topic = `${messaging.topicPrefix}caught-up`;
    await messaging.createTopics([topic]);
    const counter = await countingRelayStatements();
    const stallWindowMs = 500;
    let lastBacklogAt = 0;
    const { relay, isLeading } = bed.startRelay({
      databaseUrl: counter.databaseUrl,
      pollIntervalMs: 600_000,
      stallWindowMs,
      reportIntervalMs: 100,
      observer: { backlog: () => (lastBacklogAt = Date.now()) },
    });
    await waitFor('the relay to lead', () => isLeading());

    const commits = 3;
    for (let commit = 1; commit <= commits; commit++) {
      await bed.writeEvents(topic, [messaging.newEvent(`commit-${commit}`, 1)]);
      // Marked although no commit follows to carry the mark: it went alone after the mark delay.
      await waitFor(`commit ${commit} to be published`, async () => (await bed.unpublished()) === 0);
    }
    const publishedAt = Date.now();
    await waitFor(
      'a backlog report past the stall window',
      () => lastBacklogAt > publishedAt + stallWindowMs,
    );
    // Caught up, with nothing waiting: not a stall, however long the quiet lasts.
    await expect(relay.checkRunning()).resolves.toBeUndefined();
    await relay.stop();
    // One read when it took the lead, then one per commit; a relay that reads again after each
    // batch to find it empty makes 1 + 2 per commit.
    expect(counter.reads()).toBeGreaterThanOrEqual(commits);
    expect(counter.reads()).toBeLessThanOrEqual(commits + 1);
    expect(counter.marksAlone()).toBe(commits);
  });

  it('when commits keep waking the relay, then the next read carries the marks of each batch, and the last batch is marked before the relay stops', async () => {
    const topic = `${messaging.topicPrefix}marks-ride`;
    await messaging.createTopics([topic]);
    const counter = await countingRelayStatements();
    let acknowledged = 0;
    const { relay, isLeading } = bed.startRelay({
      databaseUrl: counter.databaseUrl,
      pollIntervalMs: 600_000,
      // Longer than the test: a mark can only go with a read, or at stop.
      markDelayMs: 600_000,
      observer: { published: (messages) => (acknowledged += messages.length) },
    });
    await waitFor('the relay to lead', () => isLeading());

    const commits = 5;
    for (let commit = 1; commit <= commits; commit++) {
      await bed.writeEvents(topic, [messaging.newEvent(`commit-${commit}`, commit)]);
      await waitFor(`commit ${commit} to reach the broker`, () => acknowledged === commit);
    }
    // Each commit woke a read that marked the batch before it, then published its own: only the
    // last batch waits for a mark.
    expect(await bed.unpublished()).toBe(1);
    expect(counter.marksAlone()).toBe(0);
    expect(counter.reads()).toBeLessThanOrEqual(commits + 1);

    await relay.stop();
    expect(await bed.unpublished()).toBe(0);
    expect(counter.marksAlone()).toBe(1);
    const marked = await bed.db.query<{ published_at: Date; created_at: Date }>(
      'SELECT published_at, created_at FROM outbox ORDER BY id',
    );
    // When the broker acknowledged each row, not when a later read happened to mark it.
    for (const [index, row] of marked.entries()) {
      expect(row.published_at.getTime()).toBeGreaterThanOrEqual(row.created_at.getTime());
      const next = marked[index + 1];
      if (next) expect(row.published_at.getTime()).toBeLessThanOrEqual(next.created_at.getTime());
    }
  });

  it('when rows together are larger than the byte cap, then they go out in batches within it', async () => {
    const topic = `${messaging.topicPrefix}bytes`;
    await messaging.createTopics([topic]);
    const events = Array.from({ length: 12 }, (_, i) =>
      messaging.newEvent(`key-${i % 3}`, i, 'x'.repeat(1_000)),
    );
    await bed.writeEvents(topic, events);
    const bytesOf = new Map(
      (
        await bed.db.query<{ event_id: string; bytes: number }>(
          `SELECT event_id::text, (octet_length(payload) + octet_length(message_key) + octet_length(headers::text))::int AS bytes
           FROM outbox`,
        )
      ).map((row) => [row.event_id, row.bytes]),
    );
    const maxBytes = 3_500;
    const batchBytes: number[] = [];
    bed.startRelay({
      batchMaxBytes: maxBytes,
      // Only one commit wakes it: the batches after the first must follow without a poll.
      pollIntervalMs: 600_000,
      observer: {
        published: (messages) =>
          batchBytes.push(
            messages.reduce((sum, message) => sum + (bytesOf.get(message.eventId) ?? Infinity), 0),
          ),
      },
    });

    await waitFor('every row to be published', async () => (await bed.unpublished()) === 0);
    expect(batchBytes.length).toBeGreaterThanOrEqual(4);
    for (const bytes of batchBytes) expect(bytes).toBeLessThanOrEqual(maxBytes);
  });

  it('when the relay is saturated, then the backlog is reported and expired rows are deleted meanwhile, on the timer', async () => {
    const topic = `${messaging.topicPrefix}saturated`;
    await messaging.createTopics([topic]);
    await bed.writeEvents(
      topic,
      Array.from({ length: 30 }, (_, i) => messaging.newEvent(`key-${i % 3}`, i)),
    );
    const reports: OutboxBacklog[] = [];
    let batches = 0;
    let seenWhileSaturated = false;
    bed.startRelay({
      // One row per batch: every batch is full, the relay never idles until the end (nor waits
      // for a poll: one commit wakes it, and a full batch means more may wait).
      batchSize: 1,
      pollIntervalMs: 600_000,
      reportIntervalMs: 100,
      retentionMs: 0,
      retentionSweepIntervalMs: 100,
      observer: { backlog: (backlog) => reports.push(backlog) },
      afterPublish: async () => {
        batches += 1;
        if (batches !== 5) return;
        // Four rows are published and marked; twenty-six wait behind this one.
        await waitFor(
          'a backlog report and a sweep while the relay is saturated',
          async () => {
            const [row] = await bed.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
            return reports.some((backlog) => backlog.waiting > 0) && (row?.n ?? 30) < 30;
          },
          { timeoutMs: 10_000 },
        );
        seenWhileSaturated = true;
      },
    });

    await waitFor('every row to be published', async () => (await bed.unpublished()) === 0);
    expect(seenWhileSaturated).toBe(true);
    await waitFor('a report of the drained outbox', () => reports.at(-1)?.waiting === 0);
  });

  it('when the relay is killed -9 between publish and mark, then after a restart every row is published and applied exactly once', async () => {
    const topic = `${messaging.topicPrefix}crash`;
    const groupId = `${topic}-consumer`;
    await messaging.createTopics([topic]);
    await bed.db.query('CREATE TABLE effects (event_id uuid, sequence int)');
    const events = Array.from({ length: 300 }, (_, i) => messaging.newEvent(`key-${i % 10}`, i));
    await bed.writeEvents(topic, events);

    const env = {
      ...process.env,
      OUTBOX_DATABASE_URL: bed.database.url,
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
      bed.onClose(async () => void child.kill('SIGKILL'));
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
    expect(await bed.unpublished()).toBe(200);

    relayProcess({});
    await waitFor('the restarted relay to publish every row', async () => (await bed.unpublished()) === 0);

    const consumer = new EventConsumer<{ TestEvent: TestEvent }, SqlExecutor>({
      kafka: messaging.kafka,
      groupId,
      topics: [topic],
      decoder: messaging.decoder,
      runInTransaction: bed.db.runInTransaction,
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
    bed.onClose(() => consumer.stop());

    const admin = messaging.kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const messagesOnTopic = offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
    expect(messagesOnTopic).toBe(400); // 300 rows, the 100 of batch 2 twice

    const applied = await waitFor('every event to be applied', async () => {
      const [row] = await bed.db.query<{ n: number; distinct_events: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct_events FROM effects',
      );
      return row && row.n >= 300 && row;
    });
    expect(applied).toEqual({ n: 300, distinct_events: 300 });
  });

  it('when a relay stands by, then it tries the lock again and again on one database session, and takes over on it', async () => {
    const leader = bed.startRelay({ standbyRetryMs: 50 });
    await waitFor('the first relay to lead', () => leader.isLeading());
    const standby = bed.startRelay({ standbyRetryMs: 50 });

    // The standby's tries, as PostgreSQL sees them: sessions that ran the try and do not hold the lock.
    const tries = new Map<string, number>(); // query_start -> backend pid
    await waitFor(
      'the standby to try the lock five times',
      async () => {
        const rows = await bed.db.query<{ pid: number; started: string }>(
          `SELECT a.pid, a.query_start::text AS started
           FROM pg_stat_activity a
           WHERE a.datname = current_database() AND a.query = 'SELECT pg_try_advisory_lock($1) AS locked'
             AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted)`,
        );
        for (const row of rows) tries.set(row.started, row.pid);
        return tries.size >= 5;
      },
      { intervalMs: 10 },
    );
    const [standbyPid] = new Set(tries.values());
    expect(new Set(tries.values())).toEqual(new Set([standbyPid]));
    expect(standby.isLeading()).toBe(false);

    await leader.relay.stop();
    await waitFor('the standby to lead', () => standby.isLeading());
    const holders = await bed.db.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database =
         (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(holders.map((row) => row.pid)).toEqual([standbyPid]);
  });

  it('when two relays run and the leader stops mid-stream, then every one of 50 keys arrives in commit order', async () => {
    const topic = `${messaging.topicPrefix}two-relays`;
    await messaging.createTopics([topic], 6);
    const received = await bed.collect(topic);
    const first = bed.startRelay({ standbyRetryMs: 100, batchSize: 50 });
    const second = bed.startRelay({ standbyRetryMs: 100, batchSize: 50 });
    await waitFor('one relay to lead', () => first.isLeading() || second.isLeading());

    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    const perKey = 20;
    // Five writers, ten keys each, committing one event at a time: commits of different keys interleave.
    const writers = [0, 1, 2, 3, 4].map(async (writer) => {
      for (let sequence = 0; sequence < perKey; sequence++) {
        for (const key of keys.slice(writer * 10, writer * 10 + 10)) {
          await bed.writeEvents(topic, [messaging.newEvent(key, sequence)]);
        }
        if (writer === 0 && sequence === perKey / 2) {
          const leader = first.isLeading() ? first : second;
          await leader.relay.stop();
        }
      }
    });
    await Promise.all(writers);

    await waitFor('every row to be published', async () => (await bed.unpublished()) === 0);
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
