import type { CatalogPrice } from '../domain/pricing';
import type { OrderTx } from './order-database';

/** The replica's prices of `skus`; SKUs the replica does not know are absent from the map. */
export async function findPrices(
  db: Pick<OrderTx, 'catalogItem'>,
  skus: readonly string[],
): Promise<Map<string, CatalogPrice>> {
  const rows = await db.catalogItem.findMany({ where: { sku: { in: [...skus] } } });
  return new Map(
    rows.map((row) => [row.sku, { priceCents: Number(row.priceCents), currency: row.currency }]),
  );
}

/**
 * Stores a catalog entry unless the replica already holds one at least as recent: one statement,
 * so two concurrent updates of a SKU cannot interleave, and a late (older) update changes nothing.
 * Returns whether the row was written.
 */
export async function upsertCatalogItem(
  tx: OrderTx,
  item: { sku: string; name: string; priceCents: number; currency: string; updatedAt: Date },
): Promise<boolean> {
  const written = await tx.$executeRawUnsafe(
    `INSERT INTO catalog_items (sku, name, price_cents, currency, updated_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (sku) DO UPDATE
       SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents,
           currency = EXCLUDED.currency, updated_at = EXCLUDED.updated_at
       WHERE catalog_items.updated_at < EXCLUDED.updated_at`,
    item.sku,
    item.name,
    BigInt(item.priceCents),
    item.currency,
    item.updatedAt,
  );
  return written > 0;
}
