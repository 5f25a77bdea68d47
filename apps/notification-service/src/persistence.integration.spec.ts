import { createPrismaClient, isDatabaseUnavailable } from '@ecommerce/database';
import { createTestDatabase, waitFor, type TestDatabase } from '@ecommerce/test-infra';
import { Client } from 'pg';

import { PrismaClient } from './generated/prisma/client';

describe('notification-service persistence on a migrated PostgreSQL database', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase('notification');
    prisma = createPrismaClient(PrismaClient, database.url);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('when a row is written through the Prisma client, then it reads back unchanged', async () => {
    await prisma.notification.create({
      data: {
        id: '7b4f2f52-2f0c-4a43-9d0e-1f6b3c1d2e3f',
        orderId: 'c0ffee00-0000-4000-8000-000000000001',
        customerId: 'customer-1',
        template: 'order-received',
        channel: 'email',
        status: 'logged',
      },
    });
    const row = await prisma.notification.findUniqueOrThrow({
      where: { id: '7b4f2f52-2f0c-4a43-9d0e-1f6b3c1d2e3f' },
    });
    expect(row).toMatchObject({ template: 'order-received', status: 'logged' });
  });

  it('when a call fails, then its error keeps its code but points at no line of the caller (no stack is captured on every call to find one)', async () => {
    const error = await prisma.notification
      .findUniqueOrThrow({ where: { id: '7b4f2f52-2f0c-4a43-9d0e-00000000dead' } })
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(error).toMatchObject({ code: 'P2025' });
    expect((error as Error).message).toContain('No record was found');
    // Prisma's other formats locate the caller ("invocation in <file>:<line>") from an Error they
    // build on every call, failing or not; createPrismaClient says why it asks for none.
    expect((error as Error).message).not.toContain('persistence.integration.spec');
  });

  /** The limits `createPrismaClient` gives every interactive transaction, from the shared settings. */
  describe('transaction limits from DATABASE_TRANSACTION_TIMEOUT_MS and DATABASE_TRANSACTION_MAX_WAIT_MS', () => {
    let limited: PrismaClient;
    const failureOf = (work: Promise<unknown>) =>
      work.then(
        () => undefined,
        (error: unknown) => error,
      );

    beforeAll(() => {
      limited = createPrismaClient(PrismaClient, database.url, {
        DATABASE_TRANSACTION_TIMEOUT_MS: 300,
        DATABASE_TRANSACTION_MAX_WAIT_MS: 1_000,
      });
    });

    afterAll(async () => {
      await limited?.$disconnect();
    });

    it('when a transaction runs past the configured timeout, then it is not committed and its error is not an outage', async () => {
      const error = await failureOf(
        limited.$transaction(async (tx) => {
          await tx.notification.create({
            data: {
              id: '0d7a0e4e-5a4b-4f43-9d6e-000000000002',
              orderId: 'c0ffee00-0000-4000-8000-000000000002',
              customerId: 'customer-2',
              template: 'order-received',
              channel: 'log',
              status: 'logged',
            },
          });
          await new Promise((resolve) => setTimeout(resolve, 600));
        }),
      );
      expect(error).toMatchObject({ code: 'P2028', meta: { timeout: 300 } });
      expect(isDatabaseUnavailable(error)).toBe(false);
      expect(await prisma.notification.count({ where: { customerId: 'customer-2' } })).toBe(0);
    });

    it('when a statement waits on a lock held elsewhere for longer than the timeout, then it is cancelled, not left waiting', async () => {
      const holder = new Client({ connectionString: database.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE notifications IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        const error = await failureOf(limited.$transaction((tx) => tx.notification.count()));
        const waitedMs = Date.now() - started;
        await holder.query('ROLLBACK');

        // PostgreSQL's statement_timeout cancels it (57014); Prisma alone would wait for the lock.
        expect(JSON.stringify(error)).toContain('57014');
        expect(isDatabaseUnavailable(error)).toBe(false);
        expect(waitedMs).toBeLessThan(3_000);
      } finally {
        await holder.end();
      }
    });

    it('when no connection frees up within the configured maxWait, then the transaction does not start and the database counts as unavailable', async () => {
      const waitsBriefly = createPrismaClient(PrismaClient, database.url, {
        DATABASE_TRANSACTION_TIMEOUT_MS: 10_000,
        DATABASE_TRANSACTION_MAX_WAIT_MS: 200,
      });
      // More transactions at once than node-postgres's pool has connections (10), each held open.
      let release = () => undefined as void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const refusals: unknown[] = [];
      const transactions = Array.from({ length: 20 }, () =>
        waitsBriefly
          .$transaction(async (tx) => {
            await tx.$queryRawUnsafe('SELECT 1');
            await released;
          })
          .catch((error: unknown) => void refusals.push(error)),
      );
      try {
        const refused = await waitFor('a transaction refused for want of a connection', () => refusals[0]);
        expect(refused).toMatchObject({ code: 'P2028' });
        expect(isDatabaseUnavailable(refused)).toBe(true);
      } finally {
        release();
        await Promise.all(transactions);
        await waitsBriefly.$disconnect();
      }
    });
  });
});
