import { lockKeyForTransaction } from '@ecommerce/database';

import type { InventoryTx } from './inventory-database';

/**
 * Makes the order's OrderPlaced and OrderCancelled apply one after the other, even before the order
 * has a reservation row to lock: the cancellation check and the reservation it guards never
 * interleave. Taken first, before any stock or reservation row.
 */
export async function lockOrder(tx: InventoryTx, orderId: string): Promise<void> {
  await lockKeyForTransaction(tx, 'inventory-service.order', orderId);
}

/** Remembers that the order was cancelled, whether or not anything was reserved for it. */
export async function rememberCancellation(tx: InventoryTx, orderId: string): Promise<void> {
  await tx.$executeRawUnsafe(
    'INSERT INTO cancelled_orders (order_id, cancelled_at) VALUES ($1::uuid, $2) ON CONFLICT (order_id) DO NOTHING',
    orderId,
    new Date(),
  );
}
