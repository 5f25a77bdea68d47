/** Where an order stands in the read model: PENDING when placed, then settled one way, for good. */
export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

export type SettledStatus = Exclude<OrderStatus, 'PENDING'>;

/** What a settling event (OrderConfirmed, OrderCancelled) does to the order's fact. */
export type Settlement =
  | { outcome: 'apply' }
  | { outcome: 'ignored'; reason: string }
  /** The order's OrderPlaced has not been projected: retry, it comes first on the partition. */
  | { outcome: 'not-placed-yet' };

/**
 * Decides a settlement from the fact's current status (null: no fact). A settled order never
 * changes again: the same settlement twice is a no-op, and a contrary one is ignored rather than
 * allowed to rewrite history (the order service settles an order once).
 */
export function decideSettlement(current: OrderStatus | null, to: SettledStatus): Settlement {
  if (current === null) return { outcome: 'not-placed-yet' };
  if (current === 'PENDING') return { outcome: 'apply' };
  if (current === to) return { outcome: 'ignored', reason: `already ${current}` };
  return { outcome: 'ignored', reason: `already ${current}; a settled order does not change` };
}

/** Mean confirmed order value in whole cents, rounded half up; 0 when no order is confirmed. */
export function averageOrderCents(revenueCents: number, confirmedOrders: number): number {
  return confirmedOrders === 0 ? 0 : Math.round(revenueCents / confirmedOrders);
}
