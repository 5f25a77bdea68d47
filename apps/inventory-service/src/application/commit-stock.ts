import type { OrderConfirmed, StockLine } from '@ecommerce/contracts';
import { type EventOutbox, reactionMetadata, writeEvent } from '@ecommerce/runtime';

import { decideSettlement } from '../domain/reservation';
import type { InventoryTx } from '../persistence/inventory-database';
import { lockReservation, settleStock } from '../persistence/reservation-repository';

export type SettleOutcome =
  { outcome: 'applied'; items: StockLine[] } | { outcome: 'ignored'; reason: string };

/**
 * OrderConfirmed: the reserved units leave stock (onHand -= qty, reserved -= qty), announced as
 * StockCommitted, inside the caller's transaction. Applies once: only lines still RESERVED move.
 */
export async function commitStock(
  tx: InventoryTx,
  events: EventOutbox,
  order: OrderConfirmed,
): Promise<SettleOutcome> {
  const decision = decideSettlement(await lockReservation(tx, order.orderId), 'commit');
  if (decision.outcome === 'ignored') return decision;
  await settleStock(tx, order.orderId, decision.lines, 'COMMITTED');
  await writeEvent(tx, events, {
    type: 'StockCommitted',
    payload: { ...reactionMetadata(order), orderId: order.orderId, items: decision.lines },
  });
  return { outcome: 'applied', items: decision.lines };
}
