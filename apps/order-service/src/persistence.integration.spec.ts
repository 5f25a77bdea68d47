import { createPrismaClient, isDatabaseUnavailable } from '@ecommerce/database';
import { createTestDatabase, freePort, waitFor, type TestDatabase } from '@ecommerce/test-infra';

import { PrismaClient } from './generated/prisma/client';

describe('order-service persistence on a migrated PostgreSQL database', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase('order');
    prisma = createPrismaClient(PrismaClient, database.url);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('when a row is written through the Prisma client, then it reads back unchanged', async () => {
    await prisma.catalogItem.create({
      data: {
        sku: 'SKU-1',
        name: 'Mug',
        priceCents: 1250n,
        currency: 'USD',
        updatedAt: new Date('2026-01-01T00:00:00Z'),
      },
    });
    const row = await prisma.catalogItem.findUniqueOrThrow({ where: { sku: 'SKU-1' } });
    expect(row).toMatchObject({ sku: 'SKU-1', name: 'Mug', priceCents: 1250n });
  });

  /**
   * The consumer runtime waits out an outage instead of dead-lettering (libs/messaging, isOutage);
   * this checks the Prisma 7 + pg adapter errors it relies on, raised by a live client.
   */
  describe('isDatabaseUnavailable on errors of this Prisma client', () => {
    const failureOf = (work: Promise<unknown>) =>
      work.then(
        () => undefined,
        (error: unknown) => error,
      );

    it('when the server cannot be reached, then the database is unavailable', async () => {
      const unreachable = createPrismaClient(
        PrismaClient,
        `postgresql://postgres@127.0.0.1:${await freePort()}/x`,
      );
      try {
        const error = await failureOf(unreachable.$transaction((tx) => tx.catalogItem.count()));
        expect(error).toMatchObject({ code: 'P1001' });
        expect(isDatabaseUnavailable(error)).toBe(true);
      } finally {
        await unreachable.$disconnect();
      }
    });

    it('when the session is terminated (as in a restart), then the database is unavailable', async () => {
      const error = await failureOf(
        prisma.$transaction((tx) => tx.$queryRawUnsafe('SELECT pg_terminate_backend(pg_backend_pid())')),
      );
      expect(isDatabaseUnavailable(error)).toBe(true);
    });

    it('when a transaction outlives its timeout (P2028, expired), then the database is not unavailable: the work spends an attempt', async () => {
      const error = await failureOf(
        prisma.$transaction(
          async (tx) => {
            await tx.$queryRawUnsafe('SELECT 1');
            await new Promise((resolve) => setTimeout(resolve, 500));
          },
          { timeout: 100 },
        ),
      );
      expect(error).toMatchObject({ code: 'P2028', meta: { operation: 'commit', timeout: 100 } });
      expect(isDatabaseUnavailable(error)).toBe(false);
    });

    it('when no connection is free to start a transaction within maxWait (P2028), then the database is unavailable', async () => {
      // More transactions at once than node-postgres's pool has connections (10), each held open.
      let release = () => undefined as void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const refusals: unknown[] = [];
      const transactions = Array.from({ length: 20 }, () =>
        prisma
          .$transaction(
            async (tx) => {
              await tx.$queryRawUnsafe('SELECT 1');
              await released;
            },
            { maxWait: 200, timeout: 10_000 },
          )
          .catch((error: unknown) => void refusals.push(error)),
      );
      const refused = await waitFor('a transaction refused for want of a connection', () => refusals[0]);
      release();
      await Promise.all(transactions);
      expect(refused).toMatchObject({ code: 'P2028' });
      expect(isDatabaseUnavailable(refused)).toBe(true);
    });

    it('when a write breaks a constraint, then the database is not unavailable', async () => {
      const row = { sku: 'SKU-DUP', name: 'Mug', priceCents: 1n, currency: 'USD', updatedAt: new Date() };
      await prisma.catalogItem.create({ data: row });
      const error = await failureOf(prisma.catalogItem.create({ data: row }));
      expect(error).toMatchObject({ code: 'P2002' });
      expect(isDatabaseUnavailable(error)).toBe(false);
    });
  });
});
