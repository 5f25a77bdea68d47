import type { SqlExecutor } from '@ecommerce/database';

import type { Prisma, PrismaClient } from '../generated/prisma/client';

/**
 * A transaction on the order database, raw SQL only: the consumers' transactions and the placing of
 * an order run on node-postgres (the runtime's `createSqlTransactions`), the other routes' on
 * Prisma; both satisfy it.
 */
export type OrderTx = SqlExecutor;

/** A transaction of the routes on Prisma: its model API beside raw SQL. */
export type OrderPrismaTx = Prisma.TransactionClient;

/** The client, and the one way the application opens a transaction on it. */
export type OrderDatabase = Pick<PrismaClient, '$transaction' | 'order' | 'catalogItem'>;
