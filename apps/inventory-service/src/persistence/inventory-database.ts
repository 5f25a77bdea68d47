import type { Prisma, PrismaClient } from '../generated/prisma/client';

/** A transaction on the inventory database (Prisma's interactive-transaction client). */
export type InventoryTx = Prisma.TransactionClient;

/** The client, and the one way the application opens a transaction on it. */
export type InventoryDatabase = Pick<PrismaClient, '$transaction' | 'product'>;
