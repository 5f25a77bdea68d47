import { PrismaPg } from '@prisma/adapter-pg';

/**
 * How long an interactive transaction may take, as every service configures it (the shared
 * settings `DATABASE_TRANSACTION_TIMEOUT_MS` and `DATABASE_TRANSACTION_MAX_WAIT_MS`).
 */
export interface DatabaseTransactionSettings {
  /** From BEGIN to COMMIT; past it the transaction is rolled back and its work fails (not an outage). */
  DATABASE_TRANSACTION_TIMEOUT_MS: number;
  /** Waiting for a connection to start a transaction; past it the database counts as unavailable. */
  DATABASE_TRANSACTION_MAX_WAIT_MS: number;
}

/** The defaults of the shared settings (Prisma's own defaults, made explicit). */
export const defaultDatabaseTransactionSettings: DatabaseTransactionSettings = {
  DATABASE_TRANSACTION_TIMEOUT_MS: 5_000,
  DATABASE_TRANSACTION_MAX_WAIT_MS: 2_000,
};

/** The options every generated Prisma client accepts; each service passes its own generated class. */
interface PrismaClientOptions {
  adapter: PrismaPg;
  transactionOptions: { timeout: number; maxWait: number };
  errorFormat: 'minimal' | 'colorless' | 'pretty';
}

/** A generated Prisma client class (each service has its own). */
export type PrismaClientClass<Client> = new (options: PrismaClientOptions) => Client;

/**
 * Prisma 7 with the `pg` driver adapter: queries are planned by Prisma's Wasm query compiler and
 * run through node-postgres, so no native engine binary is needed at run time.
 *
 * Every interactive transaction of the client (`$transaction(work)`, in consumers, use cases and
 * sweepers alike) gets the configured timeout and maxWait as its defaults, so none runs on a
 * limit nobody chose, and a caller that needs another passes its own. Prisma enforces the timeout
 * only between statements: a statement blocked on a lock would keep the transaction, and the
 * consumer partition behind it, waiting for as long as the lock is held. So each statement also
 * gets PostgreSQL's `statement_timeout` of the same length: no statement outlives the
 * transaction it runs in (it fails with 57014, which, like an expired transaction, spends a retry
 * attempt rather than counting as an outage).
 *
 * Errors are `minimal`: with any other format Prisma builds an `Error` on every call, failing or
 * not, to point a failure's message at the caller's line. That stack capture was 2-3 % of each
 * service's CPU under load (its CPU profile, BENCHMARKS.md). Prisma chooses `minimal` itself only under
 * `NODE_ENV=production` (the image sets it; the bench, the tests and `npm run dev` do not). A
 * failure keeps its code, its message, its cause and its own stack.
 */
export function createPrismaClient<Client>(
  ClientClass: PrismaClientClass<Client>,
  databaseUrl: string,
  settings: DatabaseTransactionSettings = defaultDatabaseTransactionSettings,
): Client {
  return new ClientClass({
    adapter: new PrismaPg({
      connectionString: databaseUrl,
      statement_timeout: settings.DATABASE_TRANSACTION_TIMEOUT_MS,
    }),
    errorFormat: 'minimal',
    transactionOptions: {
      timeout: settings.DATABASE_TRANSACTION_TIMEOUT_MS,
      maxWait: settings.DATABASE_TRANSACTION_MAX_WAIT_MS,
    },
  });
}

/** Readiness and shutdown of a Prisma client, in the shape the HTTP server expects. */
export function databaseDependency(prisma: {
  $queryRawUnsafe(query: string): Promise<unknown>;
  $disconnect(): Promise<void>;
}) {
  return {
    check: async () => void (await prisma.$queryRawUnsafe('SELECT 1')),
    close: () => prisma.$disconnect(),
  };
}
