import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

import { proxyDatabase } from '@ecommerce/fault-proxy';
import { Client } from 'pg';

import { isDatabaseUnavailable } from './database-unavailable';
import { executePipelined } from './sql-executor';
import {
  createSqlTransactions,
  preparedStatementName,
  TransactionCouldNotStart,
  TransactionExpired,
  type SqlTransactions,
} from './sql-transactions';

const serverUrl = process.env['POSTGRES_URL'] as string;
const settings = { DATABASE_TRANSACTION_TIMEOUT_MS: 600, DATABASE_TRANSACTION_MAX_WAIT_MS: 400 };

/** What `work` rejected with (or its result, which the expectations on an error then refuse). */
const failureOf = (work: () => Promise<unknown>): Promise<unknown> => work().catch((error: unknown) => error);

async function eventually(what: string, check: () => Promise<boolean> | boolean, deadlineMs = 10_000) {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** A server that accepts connections and never answers: a database that hangs before its handshake. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('createSqlTransactions (node-postgres, the consumers transactions)', () => {
  const table = `sql_tx_${randomUUID().replaceAll('-', '')}`;
  const admin = new Client({ connectionString: serverUrl });
  let sql: SqlTransactions;
  const idleErrors: Error[] = [];

  const countRows = async (id: string) =>
    Number((await admin.query(`SELECT count(*) AS n FROM ${table} WHERE id = $1`, [id])).rows[0].n);

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE TABLE ${table} (id text PRIMARY KEY, amount bigint NOT NULL)`);
    sql = createSqlTransactions(serverUrl, settings, (error) => idleErrors.push(error));
  });

  afterAll(async () => {
    await sql.close();
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });

  it('when the work succeeds, then its statements commit together and its result is returned, bigint columns as bigint', async () => {
    const id = randomUUID();
    const result = await sql.runInTransaction(async (tx) => {
      await tx.$executeRawUnsafe(
        `INSERT INTO ${table} (id, amount) VALUES ($1, $2)`,
        id,
        9_007_199_254_740_993n,
      );
      return tx.$queryRawUnsafe<{ amount: bigint }[]>(`SELECT amount FROM ${table} WHERE id = $1`, id);
    });
    expect(result).toEqual([{ amount: 9_007_199_254_740_993n }]);
    expect(await countRows(id)).toBe(1);
  });

  it('when a statement with parameters runs again on a connection, then PostgreSQL parsed it once: it runs as a prepared statement', async () => {
    const statement = `/* prepared */ SELECT amount FROM ${table} WHERE id = $1`;
    const prepared = await sql.runInTransaction(async (tx) => {
      await tx.$queryRawUnsafe(statement, randomUUID());
      await tx.$queryRawUnsafe(statement, randomUUID());
      return tx.$queryRawUnsafe<{ name: string; executions: number }[]>(
        'SELECT name, (generic_plans + custom_plans)::int AS executions FROM pg_prepared_statements WHERE statement = $1',
        statement,
      );
    });
    expect(prepared).toEqual([{ name: preparedStatementName(statement, [1]), executions: 2 }]);
    // A text without parameters may hold several statements, which cannot be prepared: it runs unnamed.
    expect(preparedStatementName(`SELECT 1; SELECT 2`, [])).toBeUndefined();
  });

  /**
   * Runs `run` on transactions through a proxy that delays each direction by 100 ms and lists what
   * crossed it, in order: each chunk's markers (`markers`, by direction), in the order they appear in
   * it. What a client sent before it was answered is what it did not wait for.
   */
  async function overTappedConnection(
    markers: { up: Record<string, string>; down: Record<string, string> },
    run: (proxied: SqlTransactions, seen: string[]) => Promise<void>,
  ): Promise<void> {
    const seen: string[] = [];
    const { proxy, url } = await proxyDatabase(serverUrl, {
      mode: { kind: 'delay', ms: 100 },
      tap: (direction, chunk) => {
        const text = chunk.toString('latin1');
        const found = Object.entries(markers[direction])
          .map(([marker, name]) => ({ at: text.indexOf(marker), name }))
          .filter(({ at }) => at >= 0)
          .sort((a, b) => a.at - b.at);
        seen.push(...found.map(({ name }) => name));
      },
    });
    const proxied = createSqlTransactions(
      url,
      // A connection's handshake takes a round trip per step (three for password authentication):
      // through a proxy that adds 200 ms to each, not within the 400 ms the other tests allow.
      { DATABASE_TRANSACTION_TIMEOUT_MS: 5_000, DATABASE_TRANSACTION_MAX_WAIT_MS: 5_000 },
      () => undefined,
    );
    try {
      await run(proxied, seen);
    } finally {
      await proxied.close();
      await proxy.stop();
    }
  }

  it('when a transaction starts, then its first statement is sent without waiting for BEGIN to be answered (one round trip less)', async () => {
    const markers = {
      up: { 'BEGIN\0': 'BEGIN sent', '/* first */': 'first statement sent' },
      down: { 'BEGIN\0': 'BEGIN answered' },
    };
    await overTappedConnection(markers, async (proxied, seen) => {
      const id = randomUUID();
      await proxied.runInTransaction((tx) =>
        tx.$executeRawUnsafe(`/* first */ INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, id),
      );
      expect(seen).toEqual(['BEGIN sent', 'first statement sent', 'BEGIN answered']);
      expect(await countRows(id)).toBe(1);
    });
  });

  it('when the work pipelines a write, then the COMMIT is sent before that write is answered, and both rows commit', async () => {
    const markers = {
      up: { '/* pipelined */': 'write sent', 'COMMIT\0': 'COMMIT sent' },
      down: { 'INSERT 0 1\0': 'an insert answered' },
    };
    await overTappedConnection(markers, async (proxied, seen) => {
      const [first, second] = [randomUUID(), randomUUID()];
      await proxied.runInTransaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, first);
        seen.length = 0; // from here on: the pipelined write and the COMMIT
        await executePipelined(
          tx,
          `/* pipelined */ INSERT INTO ${table} (id, amount) VALUES ($1, 2)`,
          second,
        );
      });
      expect(seen).toEqual(['write sent', 'COMMIT sent', 'an insert answered']);
      expect(await countRows(first)).toBe(1);
      expect(await countRows(second)).toBe(1);
    });
  });

  it('when a pipelined write fails, then nothing of the transaction is committed and its own error is what the caller gets', async () => {
    const existing = randomUUID();
    await admin.query(`INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, [existing]);
    const written = randomUUID();
    const error = await failureOf(() =>
      sql.runInTransaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, written);
        await executePipelined(tx, `INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, existing);
      }),
    );
    expect(error).toMatchObject({ code: '23505' }); // unique_violation: the write's own failure
    expect(await countRows(written)).toBe(0);
  });

  it("when a statement follows a pipelined write that failed, then the caller gets the failed write's error, not that of the aborted transaction", async () => {
    const existing = randomUUID();
    await admin.query(`INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, [existing]);
    const error = await failureOf(() =>
      sql.runInTransaction(async (tx) => {
        await executePipelined(tx, `INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, existing);
        await tx.$queryRawUnsafe(`SELECT amount FROM ${table} WHERE id = $1`, existing); // 25P02 here
      }),
    );
    expect(error).toMatchObject({ code: '23505' });
  });

  it('when the work throws, then nothing of it is committed and its own error is what the caller gets', async () => {
    const id = randomUUID();
    const failure = new Error('the handler failed');
    const error = await failureOf(() =>
      sql.runInTransaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, id);
        throw failure;
      }),
    );
    expect(error).toBe(failure);
    expect(await countRows(id)).toBe(0);
  });

  it('when a statement waits on a lock past the timeout, then it is cancelled, the transaction expires uncommitted, and that is not an outage', async () => {
    const locked = randomUUID();
    await admin.query(`INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, [locked]);
    const holder = new Client({ connectionString: serverUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM ${table} WHERE id = $1 FOR UPDATE`, [locked]);
      const written = randomUUID();
      const error = await failureOf(() =>
        sql.runInTransaction(async (tx) => {
          await tx.$executeRawUnsafe(`INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, written);
          await tx.$executeRawUnsafe(`UPDATE ${table} SET amount = 2 WHERE id = $1`, locked);
        }),
      );
      expect(error).toBeInstanceOf(TransactionExpired);
      expect((error as Error).cause).toMatchObject({ code: '57014' }); // statement_timeout
      expect(isDatabaseUnavailable(error)).toBe(false);
      expect(await countRows(written)).toBe(0);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });

  it('when the work idles in its transaction past the timeout, then it is not committed, PostgreSQL ends the session, it is not an outage, and the next transaction runs on a new connection', async () => {
    const id = randomUUID();
    const error = await failureOf(() =>
      sql.runInTransaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, id);
        // The fault: work that holds its transaction open past DATABASE_TRANSACTION_TIMEOUT_MS
        // (idle_in_transaction_session_timeout ends the session on the server's side).
        await delay(settings.DATABASE_TRANSACTION_TIMEOUT_MS * 2);
        await tx.$executeRawUnsafe(`UPDATE ${table} SET amount = 2 WHERE id = $1`, id);
      }),
    );
    expect(error).toBeInstanceOf(TransactionExpired);
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(await countRows(id)).toBe(0);
    const next = randomUUID();
    await sql.runInTransaction((tx) =>
      tx.$executeRawUnsafe(`INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, next),
    );
    expect(await countRows(next)).toBe(1);
  });

  it('when a pooled connection is terminated while idle, then it is reported and the next transaction still commits', async () => {
    const before = idleErrors.length;
    const [idle] = await sql.runInTransaction((tx) =>
      tx.$queryRawUnsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid'),
    );
    await admin.query('SELECT pg_terminate_backend($1)', [idle?.pid]);
    await eventually('the idle connection failure to be reported', () => idleErrors.length > before);
    const id = randomUUID();
    await sql.runInTransaction((tx) =>
      tx.$executeRawUnsafe(`INSERT INTO ${table} (id, amount) VALUES ($1, 1)`, id),
    );
    expect(await countRows(id)).toBe(1);
  });

  it('when no connection can be had within maxWait (a server that never answers), then the transaction could not start and that is an outage', async () => {
    const silent = await silentServer();
    const unreachable = createSqlTransactions(silent.url, settings, () => undefined);
    try {
      const startedAt = Date.now();
      let ran = false;
      const error = await failureOf(() => unreachable.runInTransaction(async () => void (ran = true)));
      expect(error).toBeInstanceOf(TransactionCouldNotStart);
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(ran).toBe(false);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(settings.DATABASE_TRANSACTION_MAX_WAIT_MS - 50);
    } finally {
      await unreachable.close();
      await silent.close();
    }
  });
});
