import type { RunInTransaction, SqlExecutor } from '@ecommerce/database';
import {
  createPgTransactions,
  createTestDatabase,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import pino from 'pino';

import { InboxPruner } from './inbox-pruning';

const HOUR_MS = 3_600_000;
const logger = pino({ level: 'silent' });

describe('InboxPruner on a service database', () => {
  let database: TestDatabase;
  let db: PgTransactions;

  beforeAll(async () => {
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
  });

  beforeEach(async () => {
    await db.query('DELETE FROM inbox');
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  /** `count` inbox rows of `group` processed `age` ago (a PostgreSQL interval). */
  const insertRows = (group: string, count: number, age: string) =>
    db.query(
      `INSERT INTO inbox (consumer_group, event_id, event_type, processed_at)
       SELECT $1, gen_random_uuid(), 'OrderPlaced', now() - $3::interval FROM generate_series(1, $2)`,
      [group, count, age],
    );
  const countRows = async (where = 'true') =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM inbox WHERE ${where}`))[0]?.n);

  /** The database's transactions, each one's deletions recorded. */
  function countingTransactions(): { run: RunInTransaction<SqlExecutor>; deletedPerTransaction: number[] } {
    const deletedPerTransaction: number[] = [];
    return {
      deletedPerTransaction,
      run: (work) =>
        db.runInTransaction(async (tx) => {
          const result = await work(tx);
          deletedPerTransaction.push(result as number);
          return result;
        }),
    };
  }

  it('when more rows expired than a batch holds, then one sweep deletes them all, at most a batch per transaction, and keeps the newer rows', async () => {
    await insertRows('group-a', 1_500, '3 hours');
    await insertRows('group-b', 1_000, '2 hours 1 minute');
    await insertRows('group-a', 7, '1 hour 59 minutes');
    await insertRows('group-b', 3, '1 second');
    const transactions = countingTransactions();
    const pruner = new InboxPruner({
      retentionMs: 2 * HOUR_MS,
      runInTransaction: transactions.run,
      logger,
      batchSize: 1_000,
    });

    await expect(pruner.sweep()).resolves.toBe(2_500);

    expect(transactions.deletedPerTransaction).toEqual([1_000, 1_000, 500]);
    expect(await countRows()).toBe(10);
    expect(await countRows(`processed_at < now() - interval '2 hours'`)).toBe(0);
  });

  it('when two instances sweep at once, then every expired row is deleted once between them and the newer ones stay', async () => {
    await insertRows('group-a', 3_000, '3 hours');
    await insertRows('group-a', 5, '1 minute');
    const pruners = [1, 2].map(
      () =>
        new InboxPruner({
          retentionMs: 2 * HOUR_MS,
          runInTransaction: db.runInTransaction,
          logger,
          batchSize: 200,
        }),
    );

    const deleted = await Promise.all(pruners.map((pruner) => pruner.sweep()));

    expect(deleted.reduce((sum, n) => sum + n, 0)).toBe(3_000);
    expect(await countRows()).toBe(5);
  });

  it('when started, then it sweeps at once and again every interval, until stopped', async () => {
    const pruner = new InboxPruner({
      retentionMs: HOUR_MS,
      runInTransaction: db.runInTransaction,
      logger,
      intervalMs: 100,
    });
    await insertRows('group-a', 4, '2 hours');
    pruner.start();
    try {
      await waitFor('the first sweep', async () => (await countRows()) === 0);
      await insertRows('group-a', 6, '2 hours');
      await waitFor('a later sweep', async () => (await countRows()) === 0);
    } finally {
      await pruner.stop();
    }
    await insertRows('group-a', 2, '2 hours');
    // Stopped: the timer is gone, so nothing will delete these; a sweep asked for still runs.
    expect(await countRows()).toBe(2);
    await expect(pruner.sweep()).resolves.toBe(2);
  });
});
