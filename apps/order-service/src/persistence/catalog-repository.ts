import type { CatalogPrice } from '../domain/pricing';
import type { OrderTx } from './order-database';

/** The replica's prices of `skus`; SKUs the replica does not know are absent from the map. */
export async function findPrices(tx: OrderTx, skus: readonly string[]): Promise<Map<string, CatalogPrice>> {
  const rows = await tx.$queryRawUnsafe<{ sku: string; price_cents: bigint; currency: string }[]>(
    'SELECT sku, price_cents, currency FROM catalog_items WHERE sku = ANY($1::varchar[])',
    [...skus],
  );
  return new Map(
    rows.map((row) => [row.sku, { priceCents: Number(row.price_cents), currency: row.currency }]),
  );
}

/**
 * Stores a catalog entry unless the replica already holds a newer announcement of the SKU: one
 * statement, so two concurrent updates of a SKU cannot interleave, and a late (older) update changes
 * nothing. Returns whether the row was written. Which announcement is newer:
 * - both carry a version (ProductUpserted v2): the higher version. Inventory counts it up under the
 *   product's row lock, so it orders the announcements of one SKU as they were committed, where
 *   occurredAt cannot (two updates in one millisecond, clocks of two instances apart);
 * - either lacks one (a v1 announcement, or a row that only v1 announcements wrote): the later
 *   occurredAt, strictly, as before versions existed. A v1 event is a replay of older history or
 *   comes from an inventory instance not yet upgraded during a rolling upgrade; ignoring it for
 *   good would drop that instance's real changes, so it is ordered the only way it can be.
 * The row keeps the highest version it has seen, so versioned announcements stay ordered after a
 * v1 one was applied.
 */
export async function upsertCatalogItem(
  tx: OrderTx,
  item: {
    sku: string;
    name: string;
    priceCents: number;
    currency: string;
    updatedAt: Date;
    version: number | null;
  },
): Promise<boolean> {
  const written = await tx.$executeRawUnsafe(
    `INSERT INTO catalog_items (sku, name, price_cents, currency, updated_at, version)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (sku) DO UPDATE
       SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents,
           currency = EXCLUDED.currency, updated_at = EXCLUDED.updated_at,
           version = GREATEST(catalog_items.version, EXCLUDED.version)
       WHERE CASE
         WHEN catalog_items.version IS NOT NULL AND EXCLUDED.version IS NOT NULL
           THEN catalog_items.version < EXCLUDED.version
         ELSE catalog_items.updated_at < EXCLUDED.updated_at
       END`,
    item.sku,
    item.name,
    BigInt(item.priceCents),
    item.currency,
    item.updatedAt,
    item.version === null ? null : BigInt(item.version),
  );
  return written > 0;
}
