/**
 * Tells an outage of the database (down, restarting, unreachable, out of connections, no
 * connection free to start a transaction) from an error of the work itself (a constraint, a bug,
 * bad data, a transaction that ran out of time). An outage says nothing about the event or
 * request being handled: retrying after the database is back succeeds, so a consumer waits rather
 * than spending its retry budget and dead-lettering the event, and an API answers 503 rather than
 * 500.
 *
 * Only "cannot reach the database, or cannot start a transaction on it" is an outage. A
 * transaction that started and then expired is not: it ran longer than
 * DATABASE_TRANSACTION_TIMEOUT_MS because of what it did (a slow step inside it, a lock held by
 * someone else), and counting it as an outage would retry it forever without spending an attempt,
 * repeating whatever the work did outside the database each time.
 *
 * The shapes are Prisma 7's with the `pg` driver adapter (checked against a refused port, a
 * terminated backend, an expired transaction and a transaction that could not start; see the spec
 * and the order service's persistence spec) and node-postgres's own errors.
 */

/**
 * Prisma error codes (https://www.prisma.io/docs/orm/reference/error-reference):
 * P1001 can't reach the server, P1002 reached but timed out, P1008 operation timed out,
 * P1017 server closed the connection, P2024 timed out waiting for a pooled connection.
 * P2028 (transaction API error) is not among them: it is an outage only when the transaction could
 * not start (`TRANSACTION_COULD_NOT_START`), not when it expired or was already closed.
 */
const PRISMA_OUTAGE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/**
 * Prisma's P2028 when no connection was free to start a transaction within its maxWait
 * (DATABASE_TRANSACTION_MAX_WAIT_MS). The message is the only thing that tells it from an expired
 * transaction (same code, empty `meta`), so it is matched as Prisma 7 writes it.
 */
const TRANSACTION_COULD_NOT_START = 'Unable to start a transaction in the given time';

/**
 * The driver adapter's error kinds that mean the connection, not the query, failed.
 * (`TransactionAlreadyClosed` is not one: the transaction was there and ended, by expiry or by the
 * work itself.)
 */
const DRIVER_OUTAGE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);

/**
 * PostgreSQL SQLSTATEs of an outage: class 08 (connection exception), 53300 too many connections,
 * 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up or recovering).
 */
function isOutageSqlState(code: string): boolean {
  return code.startsWith('08') || ['53300', '57P01', '57P02', '57P03'].includes(code);
}

/** Socket-level failures, as Node reports them on `error.code`. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

type ErrorLike = Record<string, unknown>;

function isRecord(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null;
}

/** The error, its `cause` chain and the driver adapter's error in Prisma's `meta`. */
function relatedErrors(error: unknown): ErrorLike[] {
  const found: ErrorLike[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && found.length < 16) {
    const next = pending.shift();
    if (!isRecord(next) || found.includes(next)) continue;
    found.push(next);
    pending.push(next['cause']);
    const meta = next['meta'];
    if (isRecord(meta)) pending.push(meta['driverAdapterError']);
  }
  return found;
}

function transactionCouldNotStart(error: ErrorLike): boolean {
  const message = error['message'];
  return typeof message === 'string' && message.includes(TRANSACTION_COULD_NOT_START);
}

/** True when `error` says the database (or the network to it) is unavailable, not that the work failed. */
export function isDatabaseUnavailable(error: unknown): boolean {
  // node-postgres transactions (sql-transactions.ts): one that expired is the work's doing, even
  // when the statement it failed on met a session PostgreSQL had ended for idling in it.
  const errors = relatedErrors(error);
  if (errors.some((related) => related['name'] === 'TransactionExpired')) return false;
  return errors.some((related) => {
    if (related['name'] === 'TransactionCouldNotStart') return true;
    const code = related['code'];
    const kind = related['kind'];
    if (typeof kind === 'string' && DRIVER_OUTAGE_KINDS.has(kind)) return true;
    if (typeof code !== 'string') return false;
    if (related['name'] === 'PrismaClientKnownRequestError' || /^P\d{4}$/.test(code)) {
      return PRISMA_OUTAGE_CODES.has(code) || (code === 'P2028' && transactionCouldNotStart(related));
    }
    return NETWORK_ERROR_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isOutageSqlState(code));
  });
}

/** True for a socket-level failure anywhere in the error's cause chain (any server, not only PostgreSQL). */
export function isNetworkFailure(error: unknown): boolean {
  return relatedErrors(error).some(
    (related) => typeof related['code'] === 'string' && NETWORK_ERROR_CODES.has(related['code']),
  );
}
