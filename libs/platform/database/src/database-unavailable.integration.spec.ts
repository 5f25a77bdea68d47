import { createServer, type AddressInfo } from 'node:net';

import { Client } from 'pg';

import { isDatabaseUnavailable, isNetworkFailure } from './database-unavailable';

const serverUrl = process.env['POSTGRES_URL'] as string;

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the work to fail');
}

/**
 * A URL on a port nothing listens on: one a server just had. (Not test-infra's freePort: that
 * library depends on this one.)
 */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `postgresql://postgres@127.0.0.1:${port}/postgres`;
}

describe('isDatabaseUnavailable, on errors node-postgres really raises', () => {
  it('when the server refuses the connection, then the database is unavailable', async () => {
    const client = new Client({
      connectionString: await closedPortUrl(),
    });
    const error = await failureOf(() => client.connect());
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isNetworkFailure(error)).toBe(true);
  });

  it('when the server terminates the session (57P01, as on a restart), then the database is unavailable', async () => {
    const client = new Client({ connectionString: serverUrl });
    client.on('error', () => undefined); // the terminated session also emits; the query's rejection is what is checked
    await client.connect();
    const error = await failureOf(() => client.query('SELECT pg_terminate_backend(pg_backend_pid())'));
    await client.end().catch(() => undefined);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('when the query itself is wrong (syntax, constraint), then the database is not unavailable', async () => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      const syntax = await failureOf(() => client.query('SELEC 1'));
      const division = await failureOf(() => client.query('SELECT 1 / 0'));
      expect(isDatabaseUnavailable(syntax)).toBe(false);
      expect(isDatabaseUnavailable(division)).toBe(false);
      expect(isNetworkFailure(syntax)).toBe(false);
    } finally {
      await client.end();
    }
  });
});

/**
 * Prisma 7's errors with the `pg` adapter, as printed by a client of this workspace (order-service)
 * against a refused port, a terminated backend, an expired transaction and a transaction that could
 * not start in its maxWait. The order service's persistence spec checks the same against a live
 * Prisma client.
 */
describe('isDatabaseUnavailable, on the shapes of Prisma 7 errors', () => {
  const prismaError = (code: string, meta: unknown, message = `prisma ${code}`) =>
    Object.assign(new Error(message), { name: 'PrismaClientKnownRequestError', code, meta });

  it.each([
    ['P1001 with DatabaseNotReachable', prismaError('P1001', {})],
    [
      'P2010 carrying the driver error 57P01',
      prismaError('P2010', {
        driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'postgres', code: '57P01' } },
      }),
    ],
    [
      'P2010 carrying DatabaseNotReachable',
      prismaError('P2010', {
        driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable' } },
      }),
    ],
    [
      'P2028, a transaction that could not start within its maxWait',
      prismaError('P2028', {}, 'Transaction API error: Unable to start a transaction in the given time.'),
    ],
    ['P2024, no pooled connection in time', prismaError('P2024', {})],
  ])('%s: unavailable', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['P2002, a unique constraint', prismaError('P2002', { target: ['sku'] })],
    [
      'P2028, a transaction that expired before its commit',
      prismaError(
        'P2028',
        { operation: 'commit', timeout: 300, timeTaken: 705 },
        'Transaction API error: A commit cannot be executed on an expired transaction. The timeout for this transaction was 300 ms, however 705 ms passed since the start of the transaction.',
      ),
    ],
    [
      'P2028, a transaction already closed',
      prismaError(
        'P2028',
        {},
        'Transaction API error: Transaction already closed: A query cannot be executed on a transaction that was rolled back.',
      ),
    ],
    [
      'P2010 carrying the driver kind TransactionAlreadyClosed',
      prismaError('P2010', {
        driverAdapterError: {
          name: 'DriverAdapterError',
          cause: { kind: 'TransactionAlreadyClosed', cause: 'transaction already closed' },
        },
      }),
    ],
    [
      'P2010 carrying 57014, a statement cancelled by statement_timeout',
      prismaError('P2010', {
        driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'postgres', code: '57014' } },
      }),
    ],
    [
      'P2010 carrying a check violation',
      prismaError('P2010', {
        driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'postgres', code: '23514' } },
      }),
    ],
    ['a plain Error', new Error('handler bug')],
    ['a PL/pgSQL raise (SQLSTATE P0001)', Object.assign(new Error('raised'), { code: 'P0001' })],
    ['not an error at all', 'text'],
  ])('%s: not unavailable', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
