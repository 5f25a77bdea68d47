import type { OrderPlaced, StockLine, StockShortage } from '@ecommerce/contracts';
import { type EventOutbox, PermanentFailure, reactionMetadata, writeEvent } from '@ecommerce/runtime';

import { decideReservation, demandBySku } from '../domain/reservation';
import { lockOrder } from '../persistence/cancellation-repository';
import type { InventoryTx } from '../persistence/inventory-database';
import { lockStockLevels } from '../persistence/product-repository';
import { holdStock, readOrderState } from '../persistence/reservation-repository';

export type ReserveOutcome =
  | { outcome: 'reserved'; items: StockLine[] }
  | { outcome: 'rejected'; unavailable: StockShortage[] }
  | { outcome: 'ignored'; reason: string };

/**
 * OrderPlaced: reserve every line or none, inside the caller's transaction `tx`. The order's SKUs
 * are locked (in the global lock order) before availability is read, so concurrent orders for the
 * same SKU are checked one after another and `available` cannot go negative. Announces
 * StockReserved, or StockRejected with the short lines.
 *
 * An OrderPlaced that comes after its order's OrderCancelled (a dead-letter replay, a relay
 * re-publishing after a crash) reserves and announces nothing: the cancellation was applied
 * already, so nothing would ever release that reservation (SPEC 4, 5.2).
 */
export async function reserveStock(
  tx: InventoryTx,
  events: EventOutbox,
  order: OrderPlaced,
): Promise<ReserveOutcome> {
  await lockOrder(tx, order.orderId);
  const state = await readOrderState(tx, order.orderId);
  if (state.cancelled) {
    return { outcome: 'ignored', reason: 'the order was cancelled before its OrderPlaced arrived' };
  }
  if (state.reserved) {
    return { outcome: 'ignored', reason: 'the order already has a reservation' };
  }
  const skus = demandBySku(order.items).map((line) => line.sku);
  const decision = decideReservation(order.items, await lockStockLevels(tx, skus));
  switch (decision.outcome) {
    case 'invalid':
      // Retrying cannot fix the event itself: dead-letter it (the order saga then times out).
      throw new PermanentFailure(
        'INVALID_ORDER',
        `order ${order.orderId} cannot be reserved: ${decision.reason}`,
      );
    case 'reject':
      await writeEvent(tx, events, {
        type: 'StockRejected',
        payload: { ...reactionMetadata(order), orderId: order.orderId, unavailable: decision.unavailable },
      });
      return { outcome: 'rejected', unavailable: decision.unavailable };
    case 'reserve':
      await holdStock(tx, order.orderId, decision.lines);
      await writeEvent(tx, events, {
        type: 'StockReserved',
        payload: { ...reactionMetadata(order), orderId: order.orderId, items: decision.lines },
      });
      return { outcome: 'reserved', items: decision.lines };
  }
}
