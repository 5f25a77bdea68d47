import { createPrismaClient } from '@ecommerce/database';
import { createTestDatabase, type TestDatabase } from '@ecommerce/test-infra';

import { PrismaClient } from './generated/prisma/client';

describe('payment-service persistence on a migrated PostgreSQL database', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase('payment');
    prisma = createPrismaClient(PrismaClient, database.url);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('when a row is written through the Prisma client, then it reads back unchanged', async () => {
    await prisma.payment.create({
      data: {
        id: '7b4f2f52-2f0c-4a43-9d0e-1f6b3c1d2e3f',
        orderId: 'c0ffee00-0000-4000-8000-000000000001',
        status: 'AUTHORIZED',
        amountCents: 2500n,
        currency: 'USD',
      },
    });
    const row = await prisma.payment.findUniqueOrThrow({
      where: { id: '7b4f2f52-2f0c-4a43-9d0e-1f6b3c1d2e3f' },
    });
    expect(row).toMatchObject({ status: 'AUTHORIZED', amountCents: 2500n });
  });
});
