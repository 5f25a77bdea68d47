import { createPrismaClient } from '@ecommerce/database';
import { createTestDatabase, type TestDatabase } from '@ecommerce/test-infra';

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
});
