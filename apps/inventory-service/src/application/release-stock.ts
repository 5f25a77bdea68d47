import type { OrderCancelled } from '@ecommerce/contracts';
import { type EventOutbox, reactionMetadata, writeEvent } from '@ecommerce/event-backbone';

import { decideSettlement } from '../domain/reservation';
import type { InventoryTx } from '../persistence/inventory-database';
import { lockReservation, settleStock } from '../persistence/reservation-repository';
import type { SettleOutcome } from './commit-stock';

/**
 * OrderCancelled: the reserved units return to available (reserved -= qty), announced as
 * StockReleased, inside the caller's transaction. A rejected order (nothing reserved) or a
 * reservation already released or committed is left alone, and nothing is announced.
 */
export async function releaseStock(
  tx: InventoryTx,
  events: EventOutbox,
  order: OrderCancelled,
): Promise<SettleOutcome> {
  const decision = decideSettlement(await lockReservation(tx, order.orderId), 'release');
  if (decision.outcome === 'ignored') return decision;
  await settleStock(tx, order.orderId, decision.lines, 'RELEASED');
  await writeEvent(tx, events, {
    type: 'StockReleased',
    payload: { ...reactionMetadata(order), orderId: order.orderId, items: decision.lines },
  });
  return { outcome: 'applied', items: decision.lines };
}
