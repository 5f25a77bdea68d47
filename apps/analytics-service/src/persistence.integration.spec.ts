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

  it('when an order fact is written with its lines, then it reads back unchanged', async () => {
    const orderId = '7c8e0b2c-4a53-4a5e-9f0e-0d6a3f1b2c3d';
    await prisma.orderFact.create({
      data: {
        orderId,
        status: 'PENDING',
        totalCents: 3750n,
        currency: 'USD',
        placedAt: new Date('2026-01-15T10:00:00Z'),
        lines: { create: [{ lineNo: 0, sku: 'SKU-1', quantity: 3, unitPriceCents: 1250n }] },
      },
    });
    const row = await prisma.orderFact.findUniqueOrThrow({ where: { orderId }, include: { lines: true } });
    expect(row).toMatchObject({
      totalCents: 3750n,
      lines: [{ sku: 'SKU-1', quantity: 3, unitPriceCents: 1250n }],
    });
  });
});
