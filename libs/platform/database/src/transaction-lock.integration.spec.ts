import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { createDatabaseIfMissing, databaseUrlOnServer, dropDatabase } from './database-admin';
import type { SqlExecutor } from './sql-executor';
import { lockKeyForTransaction } from './transaction-lock';

const serverUrl = process.env['POSTGRES_URL'] as string;

/** A node-postgres session with a transaction open, seen as the SqlExecutor the lock takes. */
async function openTransaction(url: string): Promise<{ tx: SqlExecutor; end(): Promise<void> }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  return {
    tx: {
      $executeRawUnsafe: async (query, ...values) => (await client.query(query, values)).rowCount ?? 0,
      $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) =>
        (await client.query(query, values)).rows as T,
    },
    end: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

describe('lockKeyForTransaction', () => {
  const databaseName = `test_locks_${randomBytes(4).toString('hex')}`;
  const url = databaseUrlOnServer(serverUrl, databaseName);

  beforeAll(() => createDatabaseIfMissing(serverUrl, databaseName));
  /**
   * Advisory locks requested and not yet granted in the test database, polled until one shows or a
   * second has passed (test-infra's waitFor cannot be used here: that library depends on this one).
   */
  const advisoryLocksWaiting = async () => {
    const observer = new Client({ connectionString: url });
    await observer.connect();
    try {
      for (let polls = 0; polls < 50; polls++) {
        const { rows } = await observer.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`,
        );
        if (rows[0]?.n) return rows[0].n;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return 0;
    } finally {
      await observer.end();
    }
  };
  afterAll(() => dropDatabase(serverUrl, databaseName));

  it('when two transactions lock the same key, then the second waits until the first ends; other keys and scopes do not wait', async () => {
    const first = await openTransaction(url);
    await lockKeyForTransaction(first.tx, 'orders', 'order-1');

    const second = await openTransaction(url);
    let secondLocked = false;
    const secondLocking = lockKeyForTransaction(second.tx, 'orders', 'order-1').then(
      () => (secondLocked = true),
    );

    expect(await advisoryLocksWaiting()).toBe(1);

    const otherKey = await openTransaction(url);
    await lockKeyForTransaction(otherKey.tx, 'orders', 'order-2');
    await lockKeyForTransaction(otherKey.tx, 'payments', 'order-1');
    await otherKey.end();
    expect(secondLocked).toBe(false); // still waiting, while other keys and scopes were taken at once

    await first.end();
    await secondLocking;
    expect(secondLocked).toBe(true);
    await second.end();
  });
});
