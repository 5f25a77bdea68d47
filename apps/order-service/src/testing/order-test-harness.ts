import { startServiceTestHarness, type ServiceTestHarnessOf } from '@ecommerce/runtime/testing';

import { orderService } from '../service';

export type OrderTestHarness = ServiceTestHarnessOf<typeof orderService>;

/**
 * The order service for a test file, through the shared harness, with its saga timeout an hour:
 * the sweeper runs but finds nothing, so the tests that time orders out sweep by themselves.
 */
export function startOrderTestHarness(options: { startConsumers?: boolean } = {}): Promise<OrderTestHarness> {
  return startServiceTestHarness(orderService, { ...options, settings: { SAGA_TIMEOUT_MS: '3600000' } });
}

/** Stores a catalog entry in the replica, as ProductUpserted would. */
export async function addCatalogItem(
  harness: OrderTestHarness,
  sku: string,
  priceCents: number,
  currency = 'USD',
): Promise<void> {
  await harness.db.catalogItem.create({
    data: { sku, name: sku, priceCents: BigInt(priceCents), currency, updatedAt: new Date() },
  });
}
