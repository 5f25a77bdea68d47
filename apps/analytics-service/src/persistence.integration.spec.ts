import { createPrismaClient } from '@ecommerce/database';
import { createTestDatabase, type TestDatabase } from '@ecommerce/test-infra';

import { PrismaClient } from './generated/prisma/client';

describe('analytics-service persistence on a migrated PostgreSQL database', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase('analytics');
    prisma = createPrismaClient(PrismaClient, database.url);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('when a row is written through the Prisma client, then it reads back unchanged', async () => {
    await prisma.productSales.create({ data: { sku: 'SKU-1', unitsSold: 3n, revenueCents: 3750n } });
    const row = await prisma.productSales.findUniqueOrThrow({ where: { sku: 'SKU-1' } });
    expect(row).toMatchObject({ unitsSold: 3n, revenueCents: 3750n });
  });
});
