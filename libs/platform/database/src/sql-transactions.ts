import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';

import { Pool, types, type PoolClient } from 'pg';

import type { DatabaseTransactionSettings } from './prisma-client';
import type { RunInTransaction, SqlExecutor } from './sql-executor';

/**
 * Transactions on node-postgres alone, for the paths where Prisma's own cost dominates: the
 * consumers, which run one transaction per event and nothing but raw SQL in it, and the hottest
 * route (placing an order). The same statements cost about a third of the client CPU through
 * node-postgres directly as through Prisma's `$executeRawUnsafe` (`npm run bench:order-writes`,
 * BENCHMARKS.md); Prisma keeps the schema, the migrations and the other HTTP paths, where its
 * model API earns its cost.
 *
 * The limits are the ones `createPrismaClient` gives Prisma's transactions, from the same settings:
 * - `DATABASE_TRANSACTION_MAX_WAIT_MS`: waiting for a pooled connection; past it the transaction
 *   does not start (`TransactionCouldNotStart`, an outage for `isDatabaseUnavailable`);
 * - `DATABASE_TRANSACTION_TIMEOUT_MS`: each statement's `statement_timeout`, the server's
 *   `idle_in_transaction_session_timeout` (a transaction left idle between statements is ended by
 *   PostgreSQL, its locks released), and BEGIN to COMMIT: work that took longer is rolled back,
 *   not committed, and a statement that fails past that time (cancelled by `statement_timeout`,
 *   or on the session PostgreSQL ended) fails as `TransactionExpired` too: not an outage, the
 *   work's own doing, so a consumer spends a retry attempt on it instead of waiting for ever.
 *
 * The connections are pipelined (node-postgres's `pipeline`): BEGIN is not waited for, so the work's
 * first statement goes out right behind it, and a write the work does not read (an outbox row) can
 * be sent without waiting (`$executePipelined`), so what follows it, the COMMIT too, shares its
 * round trip; what is sent together leaves in one socket write (`sendsCoalescedPerTurn`).
 * BENCHMARKS.md, "Pipelined statements", has what it saves. Whatever failed first is what the
 * caller sees, and nothing of a transaction with a failed statement is committed.
 *
 * Rows come back as Prisma's raw queries return them, so a repository reads the same shapes on
 * either client: `bigint` columns as `bigint` (node-postgres's default is a string).
 */
export interface SqlTransactions {
  runInTransaction: RunInTransaction<SqlExecutor>;
  /** Ends the pool once the work in progress has released its connections. */
  close(): Promise<void>;
}

/** No pooled connection could be had within maxWait, or the connection failed before BEGIN. */
export class TransactionCouldNotStart extends Error {
  override readonly name = 'TransactionCouldNotStart';
}

/**
 * The work ran past the transaction timeout: rolled back instead of committed. Its `cause`, when it
 * has one, is the statement's own failure; `isDatabaseUnavailable` is false for it whatever that is.
 */
export class TransactionExpired extends Error {
  override readonly name = 'TransactionExpired';
}

/**
 * Started when the transaction starts: what a failure becomes once the transaction has run for
 * `timeoutMs` (`TransactionExpired`, with the failure as its cause), `undefined` before that.
 *
 * Measured on a monotonic clock to the fraction of a millisecond, and the timeout itself counts as
 * expired: PostgreSQL cancels a statement once it has run for `statement_timeout` (the same length),
 * and the statement started after the transaction did, so a statement cancelled for its timeout has
 * always been in the transaction at least that long. With whole milliseconds and `>`, a statement
 * cancelled 0.4 ms after the transaction's 600th millisecond read as 600 ms and was reported as a
 * plain database error (a CI run on 2026-12-07).
 */
export function expiryFrom(
  timeoutMs: number,
  now: () => number = () => performance.now(),
): (cause?: unknown) => TransactionExpired | undefined {
  const startedAt = now();
  return (cause) => {
    const tookMs = now() - startedAt;
    return tookMs >= timeoutMs
      ? new TransactionExpired(
          `the transaction took ${Math.round(tookMs)} ms, past DATABASE_TRANSACTION_TIMEOUT_MS (${timeoutMs} ms); rolled back`,
          cause === undefined ? undefined : { cause },
        )
      : undefined;
  };
}

const INT8_OID = 20;

/** Prisma's raw queries return int8 as `bigint`; so do these (the shapes repositories declare). */
const prismaLikeTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => BigInt(value)
      : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
};

/** Settles with the failure (undefined on success) and never rejects, so no rejection goes unhandled. */
const failureOf = (statement: Promise<unknown>): Promise<unknown> =>
  statement.then(
    () => undefined,
    (error: unknown) => error ?? new Error('statement failed without a reason'),
  );

/** At most this many statement texts get a prepared statement (a cap on server memory per connection). */
const MAX_PREPARED_STATEMENTS = 200;
const preparedStatementNames = new Map<string, string>();

/**
 * The name under which a statement is prepared on each connection, the first time that connection
 * runs it: PostgreSQL then parses and plans it once per connection instead of once per call (an
 * unnamed statement is parsed, analysed and planned every time, and the parser led PostgreSQL's own
 * CPU profile under load, BENCHMARKS.md). The name derives from the text, so one text is one name
 * on every connection. Only statements with parameters: a text without them may hold several
 * statements (simple protocol), which a prepared statement cannot. Past the cap (texts built at run
 * time would otherwise grow it for ever), statements run unnamed as before.
 */
export function preparedStatementName(text: string, values: readonly unknown[]): string | undefined {
  if (values.length === 0) return undefined;
  const known = preparedStatementNames.get(text);
  if (known !== undefined || preparedStatementNames.size >= MAX_PREPARED_STATEMENTS) return known;
  const name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  preparedStatementNames.set(text, name);
  return name;
}

/**
 * The transaction's statements on its connection. `guard` sees each statement's failure first (to
 * tell expiry); `pipelined` takes the writes sent without waiting (`$executePipelined`).
 */
function executorOn(
  client: PoolClient,
  guard: (error: unknown) => unknown,
  transaction: { pipelined: Promise<unknown>[]; beforeSend: () => void },
): SqlExecutor {
  const query = async (text: string, values: unknown[]) => {
    transaction.beforeSend();
    try {
      return await client.query({ text, values, name: preparedStatementName(text, values) });
    } catch (error) {
      throw guard(error);
    }
  };
  return {
    $executeRawUnsafe: async (text, ...values) => (await query(text, values)).rowCount ?? 0,
    $queryRawUnsafe: async <T>(text: string, ...values: unknown[]) => (await query(text, values)).rows as T,
    $executePipelined: (text: string, ...values: unknown[]) => {
      transaction.pipelined.push(failureOf(query(text, values)));
    },
  };
}

/**
 * Makes what a transaction sends within one turn of the event loop leave in one socket write: BEGIN
 * with the statements issued right after it, pipelined writes with the statement or the COMMIT that
 * follows them. A write is a system call, on a loopback or virtual network a costly one, and it wakes
 * the server's process, which on a busy machine may take the CPU from the writer (BENCHMARKS.md,
 * "Pipelined statements", and "What a CPU profile's socket writes are"). The socket is corked at
 * the first statement of a turn and uncorked when the turn ends (`setImmediate`): a statement the
 * work awaits waits at most for the rest of the turn.
 * (node-postgres corks the same socket around each extended-protocol statement; corks nest.)
 */
export function sendsCoalescedPerTurn(socket: Pick<Writable, 'cork' | 'uncork'>): () => void {
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    socket.cork();
    setImmediate(uncork);
  };
}

/**
 * @param onIdleConnectionError an idle pooled connection that fails (the server restarted, the
 *   network dropped it) is reported here and discarded; the next transaction opens a new one.
 */
export function createSqlTransactions(
  databaseUrl: string,
  settings: DatabaseTransactionSettings,
  onIdleConnectionError: (error: Error) => void,
): SqlTransactions {
  const timeoutMs = settings.DATABASE_TRANSACTION_TIMEOUT_MS;
  const pool = new Pool({
    connectionString: databaseUrl,
    connectionTimeoutMillis: settings.DATABASE_TRANSACTION_MAX_WAIT_MS,
    statement_timeout: timeoutMs,
    idle_in_transaction_session_timeout: timeoutMs,
    types: prismaLikeTypes,
    pipeline: true,
  });
  pool.on('error', onIdleConnectionError);

  const connect = async (): Promise<PoolClient> => {
    try {
      return await pool.connect();
    } catch (error) {
      throw new TransactionCouldNotStart(
        `no database connection within ${settings.DATABASE_TRANSACTION_MAX_WAIT_MS} ms (DATABASE_TRANSACTION_MAX_WAIT_MS)`,
        { cause: error },
      );
    }
  };

  const runInTransaction: RunInTransaction<SqlExecutor> = async <T>(
    work: (tx: SqlExecutor) => Promise<T>,
  ): Promise<T> => {
    const client = await connect();
    // A connection lost while checked out (PostgreSQL ended an idle transaction, restarted, the
    // network dropped it) is reported on the client, not the pool: kept here, it sends the
    // connection out of the pool on release; the statement in flight fails by itself.
    let broken: unknown;
    const lost = (error: Error) => (broken ??= error);
    client.on('error', lost);
    try {
      const expired = expiryFrom(timeoutMs);
      const beforeSend = sendsCoalescedPerTurn(client.connection.stream);
      // BEGIN and the pipelined writes are not waited for when sent: the work goes on meanwhile.
      beforeSend();
      const beginFailure = failureOf(client.query('BEGIN'));
      const pipelined: Promise<unknown>[] = [];
      /** Why the transaction failed if it did so before the work saw it: BEGIN, or a pipelined write. */
      const earlierFailure = async (): Promise<unknown> => {
        const failedToBegin = await beginFailure;
        if (failedToBegin !== undefined) {
          broken ??= failedToBegin;
          return new TransactionCouldNotStart('BEGIN failed', { cause: failedToBegin });
        }
        for (const failure of await Promise.all(pipelined)) if (failure !== undefined) return failure;
        return undefined;
      };
      let result: T;
      try {
        result = await work(
          executorOn(client, (error) => expired(error) ?? error, { pipelined, beforeSend }),
        );
      } catch (error) {
        // A statement behind a failed BEGIN or a failed pipelined write fails because of it (the
        // transaction is aborted): that first failure is what the caller sees.
        throw (await earlierFailure()) ?? error;
      }
      const late = expired();
      if (late) throw (await earlierFailure()) ?? late;
      // COMMIT goes out behind the pipelined writes still in flight. If one of them failed, the
      // transaction was aborted and PostgreSQL answers this COMMIT with a rollback.
      beforeSend();
      const committed = client.query('COMMIT');
      const failed = await earlierFailure();
      if (failed !== undefined) {
        // Answered with a rollback, or failed with the connection (then `broken` has it): either
        // way nothing was committed, and the write's failure is the one to report.
        await failureOf(committed);
        throw failed;
      }
      const { command } = await committed;
      if (command !== 'COMMIT') throw new Error(`COMMIT was answered with ${command}: nothing was committed`);
      return result;
    } catch (error) {
      // A connection that cannot even roll back is broken: it leaves the pool, and the work's own
      // error is what the caller sees.
      if (broken === undefined) {
        await client.query('ROLLBACK').catch((failure: unknown) => (broken = failure));
      }
      throw error;
    } finally {
      client.off('error', lost);
      client.release(broken !== undefined); // true destroys the connection
    }
  };

  return { runInTransaction, close: () => pool.end() };
}
