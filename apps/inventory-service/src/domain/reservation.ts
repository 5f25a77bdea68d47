import type { StockLine, StockShortage } from '@ecommerce/contracts';

import { availableOf, type StockLevel } from './stock-level';

/**
 * Inventory's part of the order saga, as pure functions: whether an order can be reserved (every
 * line or none), and what a confirmation or a cancellation does to the order's reservation.
 * Locking, persistence and events live in the application layer.
 */
export type ReservationStatus = 'RESERVED' | 'RELEASED' | 'COMMITTED';

export interface ReservationLine extends StockLine {
  status: ReservationStatus;
}

/**
 * The order's lines summed per SKU and sorted by SKU. The sum makes a repeated SKU one demand
 * (two lines of 3 need 6 units); the order is the one every transaction locks rows in, so two
 * orders sharing SKUs cannot deadlock.
 */
export function demandBySku(lines: readonly StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of lines) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

export type ReservationDecision =
  /** Every line is covered: hold all of them. */
  | { outcome: 'reserve'; lines: StockLine[] }
  /** At least one line is short: hold nothing, and name the short lines. */
  | { outcome: 'reject'; unavailable: StockShortage[] }
  /** The order cannot be reserved or rejected as it stands (no lines, or a quantity below 1). */
  | { outcome: 'invalid'; reason: string };

/**
 * All or none: reserve when every SKU's demand fits its available units, otherwise reject with the
 * short lines. `stock` holds the SKUs that exist; an unknown SKU has nothing available.
 */
export function decideReservation(
  lines: readonly StockLine[],
  stock: ReadonlyMap<string, StockLevel>,
): ReservationDecision {
  if (lines.length === 0) return { outcome: 'invalid', reason: 'the order has no lines' };
  const bad = lines.find((line) => !Number.isInteger(line.quantity) || line.quantity < 1);
  if (bad) return { outcome: 'invalid', reason: `line ${bad.sku} has quantity ${bad.quantity}` };

  const demand = demandBySku(lines);
  const unavailable: StockShortage[] = [];
  for (const { sku, quantity } of demand) {
    const level = stock.get(sku);
    const available = level ? availableOf(level) : 0;
    if (quantity > available) unavailable.push({ sku, requested: quantity, available });
  }
  return unavailable.length === 0
    ? { outcome: 'reserve', lines: demand }
    : { outcome: 'reject', unavailable };
}

export type SettlementDecision =
  /** Move these RESERVED lines on (to COMMITTED or RELEASED). */
  | { outcome: 'apply'; lines: StockLine[] }
  /** Nothing is held for the order any more (or never was): acknowledge and change nothing. */
  | { outcome: 'ignored'; reason: string };

/**
 * What OrderConfirmed (commit) or OrderCancelled (release) does to an order's reservation: it
 * applies to the lines still RESERVED, and to nothing once they have moved on or if the order was
 * rejected (no lines), so a duplicate or late event has no second effect.
 */
export function decideSettlement(
  reservation: readonly ReservationLine[],
  settlement: 'commit' | 'release',
): SettlementDecision {
  if (reservation.length === 0) {
    return {
      outcome: 'ignored',
      reason: `nothing was reserved for the order, so there is nothing to ${settlement}`,
    };
  }
  const held = reservation.filter((line) => line.status === 'RESERVED');
  if (held.length === 0) {
    return {
      outcome: 'ignored',
      reason: `the reservation is already ${reservation[0]?.status}, so there is nothing to ${settlement}`,
    };
  }
  return { outcome: 'apply', lines: demandBySku(held) };
}
