import { startServiceTestHarness, type ServiceTestHarnessOf } from '@ecommerce/runtime/testing';

import { orderServiceConfigSchema } from '../config';
import { orderService } from '../service';

export type OrderTestHarness = ServiceTestHarnessOf<typeof orderService>;

/**
 * The order service for a test file, through the shared harness, with its saga timeout the longest
 * the configuration allows (a day): its sweeper runs but finds nothing, not even orders a test has
 * made an hour older, so the tests that time orders out sweep by themselves.
 */
export function startOrderTestHarness(options: { startConsumers?: boolean } = {}): Promise<OrderTestHarness> {
  const longest = String(orderServiceConfigSchema.properties.SAGA_TIMEOUT_MS.maximum);
  return startServiceTestHarness(orderService, { ...options, settings: { SAGA_TIMEOUT_MS: longest } });
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
