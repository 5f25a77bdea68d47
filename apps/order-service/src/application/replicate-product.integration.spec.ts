import { randomUUID } from 'node:crypto';

import type { ProductUpserted } from '@ecommerce/contracts';
import { createPrismaClient } from '@ecommerce/database';
import { createTestDatabase, type TestDatabase } from '@ecommerce/test-infra';

import { PrismaClient } from '../generated/prisma/client';
import { replicateProduct } from './replicate-product';

describe('the catalog replica, ordering announcements of a sku', () => {
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

  const announcement = (
    sku: string,
    { version, priceCents, occurredAt }: { version: number | null; priceCents: number; occurredAt: number },
  ): ProductUpserted => ({
    eventId: randomUUID(),
    occurredAt,
    correlationId: randomUUID(),
    causationId: null,
    sku,
    name: `${sku} at ${priceCents}`,
    priceCents,
    currency: 'USD',
    version,
  });
  const replicate = (product: ProductUpserted) => prisma.$transaction((tx) => replicateProduct(tx, product));
  const replica = (sku: string) => prisma.catalogItem.findUniqueOrThrow({ where: { sku } });

  it.each([
    ['in version order', [1, 2]],
    ['newest first', [2, 1]],
  ])(
    'when two versions carry the same millisecond, applied %s, then the replica keeps the higher version’s price',
    async (_order, versions) => {
      const sku = `SAME-MS-${randomUUID()}`;
      const occurredAt = Date.now();
      for (const version of versions) {
        await replicate(announcement(sku, { version, priceCents: version * 100, occurredAt }));
      }
      expect(await replica(sku)).toMatchObject({ priceCents: 200n, version: 2n });
    },
  );

  it('when the clock of a later version is behind (skew), then the version still wins', async () => {
    const sku = `SKEW-${randomUUID()}`;
    const now = Date.now();
    await replicate(announcement(sku, { version: 7, priceCents: 700, occurredAt: now - 5_000 }));
    await expect(
      replicate(announcement(sku, { version: 6, priceCents: 600, occurredAt: now })),
    ).resolves.toEqual({ outcome: 'ignored', reason: 'the replica holds a newer announcement of the sku' });
    expect(await replica(sku)).toMatchObject({ priceCents: 700n, version: 7n });
  });

  describe('a v1 announcement, which carries no version (null)', () => {
    it('when it is newer than what the replica holds, by occurredAt, then it applies and the highest version seen is kept', async () => {
      const sku = `V1-NEWER-${randomUUID()}`;
      const now = Date.now();
      await replicate(announcement(sku, { version: 3, priceCents: 300, occurredAt: now - 1_000 }));

      // An inventory instance not yet upgraded, during a rolling upgrade, announcing a real change.
      await replicate(announcement(sku, { version: null, priceCents: 350, occurredAt: now }));

      expect(await replica(sku)).toMatchObject({ priceCents: 350n, version: 3n });
      // A replay of version 3 does not roll it back; version 4 applies.
      await replicate(announcement(sku, { version: 3, priceCents: 300, occurredAt: now - 1_000 }));
      expect(await replica(sku)).toMatchObject({ priceCents: 350n });
      await replicate(announcement(sku, { version: 4, priceCents: 400, occurredAt: now - 500 }));
      expect(await replica(sku)).toMatchObject({ priceCents: 400n, version: 4n });
    });

    it('when it is older, or of the same millisecond, then it changes nothing (the v1 rule, kept for v1 events only)', async () => {
      const sku = `V1-OLDER-${randomUUID()}`;
      const now = Date.now();
      await replicate(announcement(sku, { version: 2, priceCents: 200, occurredAt: now }));

      // A replay of history written before versions existed.
      await replicate(announcement(sku, { version: null, priceCents: 100, occurredAt: now - 60_000 }));
      await replicate(announcement(sku, { version: null, priceCents: 150, occurredAt: now }));

      expect(await replica(sku)).toMatchObject({ priceCents: 200n, version: 2n });
    });

    it('when the replica holds only v1 announcements, then a versioned one is ordered against them by occurredAt', async () => {
      const sku = `V1-ONLY-${randomUUID()}`;
      const now = Date.now();
      await replicate(announcement(sku, { version: null, priceCents: 100, occurredAt: now }));
      await replicate(announcement(sku, { version: 1, priceCents: 90, occurredAt: now - 1_000 }));
      expect(await replica(sku)).toMatchObject({ priceCents: 100n, version: null });

      await replicate(announcement(sku, { version: 2, priceCents: 110, occurredAt: now + 1 }));
      expect(await replica(sku)).toMatchObject({ priceCents: 110n, version: 2n });
    });
  });
});
