import { commandMetadata, type EventOutbox, writeEvent } from '@ecommerce/runtime';

import type { InventoryDatabase } from '../persistence/inventory-database';
import { toProductView, type ProductView } from '../persistence/product-repository';

export interface ProductDetails {
  name: string;
  priceCents: number;
  currency: string;
}

/**
 * Creates the product or replaces its name and price (stock is untouched), and announces the
 * catalog entry as ProductUpserted, in one transaction. `INSERT ... ON CONFLICT DO NOTHING` decides
 * created or updated atomically, so two concurrent first PUTs of one SKU are one create, one update.
 * A create is version 1; an update counts the version up in its UPDATE, which holds the row's lock
 * until the commit, so the announcements of a SKU carry versions in the order they committed
 * (the order service's replica keeps the highest, see its `upsertCatalogItem`).
 */
export async function upsertProduct(
  deps: { db: InventoryDatabase; events: EventOutbox },
  sku: string,
  details: ProductDetails,
): Promise<{ created: boolean; product: ProductView }> {
  const data = { name: details.name, priceCents: BigInt(details.priceCents), currency: details.currency };
  return deps.db.$transaction(async (tx) => {
    const [inserted] = await tx.product.createManyAndReturn({
      data: [{ sku, ...data }],
      skipDuplicates: true,
    });
    const row =
      inserted ?? (await tx.product.update({ where: { sku }, data: { ...data, version: { increment: 1 } } }));
    await writeEvent(tx, deps.events, {
      type: 'ProductUpserted',
      payload: { ...commandMetadata(), sku, ...details, version: Number(row.version) },
    });
    return { created: inserted !== undefined, product: toProductView(row) };
  });
}
