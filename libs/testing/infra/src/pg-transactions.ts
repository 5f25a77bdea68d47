import type { RunInTransaction, SqlExecutor } from '@ecommerce/database';
import { Pool, type PoolClient } from 'pg';

function executorFor(client: Pool | PoolClient): SqlExecutor {
  return {
    $executeRawUnsafe: async (query, ...values) => (await client.query(query, values)).rowCount ?? 0,
    $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) =>
      (await client.query(query, values)).rows as T,
  };
}

export interface PgTransactions {
  runInTransaction: RunInTransaction<SqlExecutor>;
  /** The database outside any transaction, as a service's client is (each statement commits alone). */
  executor: SqlExecutor;
  query<Row extends object>(sql: string, values?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/**
 * The database side of a consumer or outbox writer for library tests: what a service passes as
 * Prisma's `$transaction`, built on node-postgres so libraries are tested without an app's client.
 */
export function createPgTransactions(databaseUrl: string): PgTransactions {
  const pool = new Pool({ connectionString: databaseUrl, max: 5 });
  // An idle pooled connection ended by the server (the test database dropped WITH (FORCE) while the
  // pool is still closing, a test that restarts PostgreSQL) is reported as the pool's 'error' event,
  // which would otherwise crash the test process. A query on a broken connection still rejects.
  pool.on('error', () => undefined);
  return {
    runInTransaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(executorFor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    executor: executorFor(pool),
    query: async <Row extends object>(sql: string, values: unknown[] = []) =>
      (await pool.query<Row>(sql, values)).rows,
    close: () => pool.end(),
  };
}
