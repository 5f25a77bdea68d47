import type { Prisma, PrismaClient } from '../generated/prisma/client';

/** A transaction on the order database (Prisma's interactive-transaction client). */
export type OrderTx = Prisma.TransactionClient;

/** The client, and the one way the application opens a transaction on it. */
export type OrderDatabase = Pick<PrismaClient, '$transaction' | 'order' | 'catalogItem'>;
