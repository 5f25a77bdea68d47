import { createPrismaClient } from '@ecommerce/database';
import { createTestDatabase, type TestDatabase } from '@ecommerce/test-infra';

import { PrismaClient } from './generated/prisma/client';

describe('inventory-service persistence on a migrated PostgreSQL database', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase('inventory');
    prisma = createPrismaClient(PrismaClient, database.url);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('when a row is written through the Prisma client, then it reads back unchanged', async () => {
    await prisma.product.create({
      data: { sku: 'SKU-1', name: 'Mug', priceCents: 1250n, currency: 'USD', onHand: 10 },
    });
    const row = await prisma.product.findUniqueOrThrow({ where: { sku: 'SKU-1' } });
    expect(row).toMatchObject({ sku: 'SKU-1', onHand: 10, reserved: 0 });
  });
});
