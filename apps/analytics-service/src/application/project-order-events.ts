import type { OrderCancelled, OrderConfirmed, OrderPlaced } from '@ecommerce/contracts';

import { decideSettlement, type SettledStatus } from '../domain/order-fact';
import type { AnalyticsTx } from '../persistence/analytics-database';
import {
  insertPlacedOrder,
  lockOrderStatus,
  markCancelled,
  markConfirmed,
} from '../persistence/order-fact-repository';
import { OrderNotPlacedYet } from './errors';

export type ProjectionOutcome = { outcome: 'applied' } | { outcome: 'ignored'; reason: string };

// Each projection is idempotent on its own, not only through the inbox: a second event with the
// same meaning (a redelivery under another eventId, a replay onto facts that survived) changes
// nothing. Every timestamp comes from the event, never from the clock, so a replay gives the same rows.

/** OrderPlaced: a PENDING fact with its lines, placed at the event's time. */
export async function projectOrderPlaced(tx: AnalyticsTx, event: OrderPlaced): Promise<ProjectionOutcome> {
  const inserted = await insertPlacedOrder(tx, {
    orderId: event.orderId,
    totalCents: event.totalCents,
    currency: event.currency,
    placedAt: new Date(event.occurredAt),
    items: event.items,
  });
  return inserted ? { outcome: 'applied' } : { outcome: 'ignored', reason: 'order already placed' };
}

/** OrderConfirmed: the fact becomes CONFIRMED at the event's time. */
export function projectOrderConfirmed(tx: AnalyticsTx, event: OrderConfirmed): Promise<ProjectionOutcome> {
  return settle(tx, 'OrderConfirmed', event.orderId, 'CONFIRMED', () =>
    markConfirmed(tx, event.orderId, new Date(event.occurredAt)),
  );
}

/** OrderCancelled: the fact becomes CANCELLED, with its reason, at the event's time. */
export function projectOrderCancelled(tx: AnalyticsTx, event: OrderCancelled): Promise<ProjectionOutcome> {
  return settle(tx, 'OrderCancelled', event.orderId, 'CANCELLED', () =>
    markCancelled(tx, event.orderId, event.reason, new Date(event.occurredAt)),
  );
}

async function settle(
  tx: AnalyticsTx,
  eventType: string,
  orderId: string,
  to: SettledStatus,
  apply: () => Promise<void>,
): Promise<ProjectionOutcome> {
  const decision = decideSettlement(await lockOrderStatus(tx, orderId), to);
  if (decision.outcome === 'not-placed-yet') throw new OrderNotPlacedYet(orderId, eventType);
  if (decision.outcome === 'ignored') return decision;
  await apply();
  return { outcome: 'applied' };
}
