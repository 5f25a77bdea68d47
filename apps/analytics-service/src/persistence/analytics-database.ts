import type { Prisma, PrismaClient } from '../generated/prisma/client';

/** A transaction on the analytics database (Prisma's interactive-transaction client). */
export type AnalyticsTx = Prisma.TransactionClient;

/** What the queries and the rebuild need of the client. */
export type AnalyticsDatabase = Pick<PrismaClient, '$transaction' | '$queryRawUnsafe'>;

/** A SQL bigint (a count or a sum of cents) as a JS number; refuses one a number cannot hold exactly. */
export function toSafeNumber(value: bigint | number): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) throw new RangeError(`${String(value)} is beyond a safe integer`);
  return result;
}
