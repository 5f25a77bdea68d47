import type { OrderCancelled } from '@ecommerce/contracts';
import { type EventOutbox, reactionMetadata, writeEvent } from '@ecommerce/runtime';

import { decideSettlement } from '../domain/reservation';
import { lockOrder, rememberCancellation } from '../persistence/cancellation-repository';
import type { InventoryTx } from '../persistence/inventory-database';
import { lockReservation, settleStock } from '../persistence/reservation-repository';
import type { SettleOutcome } from './commit-stock';

/**
 * OrderCancelled: the reserved units return to available (reserved -= qty), announced as
 * StockReleased, inside the caller's transaction. A rejected order (nothing reserved) or a
 * reservation already released or committed is left alone, and nothing is announced.
 *
 * The cancellation is remembered in every case, also for an order whose OrderPlaced has not been
 * applied here (it was dead-lettered, or is re-published later): that OrderPlaced then reserves
 * nothing.
 */
export async function releaseStock(
  tx: InventoryTx,
  events: EventOutbox,
  order: OrderCancelled,
): Promise<SettleOutcome> {
  await lockOrder(tx, order.orderId);
  await rememberCancellation(tx, order.orderId);
  const decision = decideSettlement(await lockReservation(tx, order.orderId), 'release');
  if (decision.outcome === 'ignored') return decision;
  await settleStock(tx, order.orderId, decision.lines, 'RELEASED');
  await writeEvent(tx, events, {
    type: 'StockReleased',
    payload: { ...reactionMetadata(order), orderId: order.orderId, items: decision.lines },
  });
  return { outcome: 'applied', items: decision.lines };
}
