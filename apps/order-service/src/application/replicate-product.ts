import type { ProductUpserted } from '@ecommerce/contracts';

import type { OrderTx } from '../persistence/order-database';
import { upsertCatalogItem } from '../persistence/catalog-repository';

/**
 * ProductUpserted: the replica takes the product's name and price (event-carried state transfer),
 * unless it already holds a newer announcement of the SKU: by version when the event carries one
 * (v2), by occurredAt for a v1 event (see `upsertCatalogItem`). Events of one SKU share a partition,
 * but a replay, a redelivery after a rebalance or a second producer must not roll a price back.
 */
export async function replicateProduct(
  tx: OrderTx,
  product: ProductUpserted,
): Promise<{ outcome: 'applied' } | { outcome: 'ignored'; reason: string }> {
  const written = await upsertCatalogItem(tx, {
    sku: product.sku,
    name: product.name,
    priceCents: product.priceCents,
    currency: product.currency,
    updatedAt: new Date(product.occurredAt),
    version: product.version,
  });
  return written
    ? { outcome: 'applied' }
    : { outcome: 'ignored', reason: 'the replica holds a newer announcement of the sku' };
}
