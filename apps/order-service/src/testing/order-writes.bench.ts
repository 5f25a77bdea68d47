/**
 * What order-service's two hottest writes cost in CPU, written five ways (a script, not a test):
 * `TEST_INFRA=local npm run bench:order-writes`. Each "order" is the POST's insert (the order, its
 * lines, its first timeline entry) and one saga step (status and a timeline entry), each in a
 * transaction of its own, on a fresh order-service database:
 *
 * - `nested`: Prisma's nested create and update, as the repository wrote them until 2026-12-05;
 * - `separate`: one Prisma model call per table (createMany, updateMany), fewer statements;
 * - `repository`: `insertOrder` and `saveSagaState` as shipped (raw SQL through the same client);
 * - `located`: the same, through a client with Prisma's default error format, which builds an
 *   `Error` on every call to locate its caller (what `createPrismaClient`'s `minimal` saves);
 * - `pg`: the same SQL in the consumers' transactions as the runtime runs them, on node-postgres
 *   alone (`createSqlTransactions`): what is left once Prisma is gone, so what Prisma itself costs
 *   on raw SQL.
 *
 * The ways take turns, round after round, in alternating order, so the machine's drift falls on
 * all of them; the first rounds warm up and are not counted. CPU is this process's (user + system):
 * the client's cost, which is what Prisma adds; PostgreSQL's is not in it.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

import { PrismaPg } from '@prisma/adapter-pg';

import {
  createPrismaClient,
  createSqlTransactions,
  defaultDatabaseTransactionSettings,
  type RunInTransaction,
} from '@ecommerce/database';
import { createTestDatabase, exportInfrastructure, provisionTestInfrastructure } from '@ecommerce/test-infra';

import { PrismaClient } from '../generated/prisma/client';
import type { OrderPrismaTx, OrderTx } from '../persistence/order-database';
import { insertOrder, saveSagaState } from '../persistence/order-repository';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '12' },
    orders: { type: 'string', default: '100' },
  },
});
const rounds = Number(values.rounds);
const ordersPerRound = Number(values.orders);
const warmupRounds = 2;

/** How an order's two writes are made, given a transaction of the kind they need. */
interface Way<Tx extends OrderTx> {
  insert(tx: Tx, orderId: string, lines: number): Promise<void>;
  saveStep(tx: Tx, orderId: string): Promise<void>;
}

/** An order's two writes, each in a transaction of its own. */
interface Writes {
  insert(orderId: string, lines: number): Promise<void>;
  saveStep(orderId: string): Promise<void>;
}

function inTransactions<Tx extends OrderTx>(way: Way<Tx>, runInTransaction: RunInTransaction<Tx>): Writes {
  return {
    insert: (orderId, lines) => runInTransaction((tx) => way.insert(tx, orderId, lines)),
    saveStep: (orderId) => runInTransaction((tx) => way.saveStep(tx, orderId)),
  };
}

const lineData = (lines: number) =>
  Array.from({ length: lines }, (_, index) => ({
    lineNumber: index + 1,
    sku: `SKU-${index}`,
    quantity: 1 + index,
    unitPriceCents: 1_000n,
  }));

const repository: Way<OrderTx> = {
  insert: (tx, id, lines) =>
    insertOrder(tx, {
      id,
      customerId: 'bench',
      correlationId: randomUUID(),
      items: lineData(lines).map(({ sku, quantity }) => ({ sku, quantity, unitPriceCents: 1_000 })),
      totalCents: 1_000,
      currency: 'EUR',
    }),
  saveStep: (tx, id) => saveSagaState(tx, id, { status: 'CONFIRMED', cancelReason: null }, 'OrderConfirmed'),
};

const prismaWays: Record<string, Way<OrderPrismaTx>> = {
  nested: {
    insert: async (tx, id, lines) =>
      void (await tx.order.create({
        data: {
          id,
          customerId: 'bench',
          correlationId: randomUUID(),
          totalCents: 1_000n,
          currency: 'EUR',
          lines: { create: lineData(lines) },
          timeline: { create: [{ type: 'OrderPlaced' }] },
        },
      })),
    saveStep: async (tx, id) =>
      void (await tx.order.update({
        where: { id },
        data: { status: 'CONFIRMED', cancelReason: null, timeline: { create: [{ type: 'OrderConfirmed' }] } },
      })),
  },
  separate: {
    insert: async (tx, id, lines) => {
      const at = new Date();
      await tx.order.createMany({
        data: [
          {
            id,
            customerId: 'bench',
            correlationId: randomUUID(),
            totalCents: 1_000n,
            currency: 'EUR',
            createdAt: at,
          },
        ],
      });
      await tx.orderLine.createMany({ data: lineData(lines).map((line) => ({ ...line, orderId: id })) });
      await tx.orderTimelineEntry.createMany({ data: [{ orderId: id, type: 'OrderPlaced', at }] });
    },
    saveStep: async (tx, id) => {
      await tx.order.updateMany({ where: { id }, data: { status: 'CONFIRMED', cancelReason: null } });
      await tx.orderTimelineEntry.createMany({ data: [{ orderId: id, type: 'OrderConfirmed' }] });
    },
  },
};

async function main(): Promise<void> {
  const provisioned = await provisionTestInfrastructure();
  exportInfrastructure(provisioned.infrastructure);
  const database = await createTestDatabase('order');
  const db = createPrismaClient(PrismaClient, database.url);
  // Prisma's default error format (not `createPrismaClient`'s): everything else as shipped.
  const located = new PrismaClient({
    adapter: new PrismaPg({ connectionString: database.url }),
    errorFormat: 'colorless',
  });
  const sql = createSqlTransactions(database.url, defaultDatabaseTransactionSettings, (error) => {
    throw error;
  });
  const onPrisma: RunInTransaction<OrderPrismaTx> = (work) => db.$transaction(work);
  const all: Record<string, Writes> = {
    ...Object.fromEntries(
      Object.entries(prismaWays).map(([name, way]) => [name, inTransactions(way, onPrisma)]),
    ),
    repository: inTransactions(repository, onPrisma),
    located: inTransactions(repository, (work) => located.$transaction(work)),
    pg: inTransactions(repository, sql.runInTransaction),
  };
  const names = Object.keys(all);
  const cpuMs = new Map(names.map((name) => [name, 0]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const writes = all[name] as Writes;
        const before = process.cpuUsage();
        for (let order = 0; order < ordersPerRound; order++) {
          const orderId = randomUUID();
          await writes.insert(orderId, 1 + (order % 3));
          await writes.saveStep(orderId);
        }
        const used = process.cpuUsage(before);
        if (round >= warmupRounds)
          cpuMs.set(name, (cpuMs.get(name) ?? 0) + (used.user + used.system) / 1_000);
      }
    }
  } finally {
    await db.$disconnect();
    await located.$disconnect();
    await sql.close();
    await database.drop();
    await provisioned.release();
  }
  const counted = (rounds - warmupRounds) * ordersPerRound;
  const nestedMs = (cpuMs.get('nested') ?? 0) / counted;
  console.log(`${counted} orders per way (1 to 3 lines), insert + one saga step, each its own transaction:`);
  for (const name of names) {
    const ms = (cpuMs.get(name) ?? 0) / counted;
    console.log(
      `  ${name.padEnd(10)} ${ms.toFixed(3)} ms of client CPU per order (${(ms / nestedMs).toFixed(2)} of nested)`,
    );
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
