import type { SqlExecutor } from '@ecommerce/database';

import type { Prisma, PrismaClient } from '../generated/prisma/client';

/**
 * A transaction on the analytics database, raw SQL only: the consumers' transactions run on
 * node-postgres (the runtime's `createSqlTransactions`), the routes' on Prisma; both satisfy it.
 */
export type AnalyticsTx = SqlExecutor;

/** A transaction of the routes on Prisma: its model API beside raw SQL. */
export type AnalyticsPrismaTx = Prisma.TransactionClient;

/** What the queries and the rebuild need of the client. */
export type AnalyticsDatabase = Pick<PrismaClient, '$transaction' | '$queryRawUnsafe'>;

/** A SQL bigint (a count or a sum of cents) as a JS number; refuses one a number cannot hold exactly. */
export function toSafeNumber(value: bigint | number): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) throw new RangeError(`${String(value)} is beyond a safe integer`);
  return result;
}
