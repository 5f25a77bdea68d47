/**
 * Stock of one SKU: `onHand` units in the warehouse, `reserved` of them held for orders in flight.
 * `available` (what a new order may take) is derived, never stored. The invariant the rules below
 * keep, and the database checks again: `0 <= reserved <= onHand`, hence `available >= 0`.
 */
export interface StockLevel {
  onHand: number;
  reserved: number;
}

/** The largest onHand a product can have: the column is a PostgreSQL integer. */
export const MAX_ON_HAND = 2_147_483_647;

export const availableOf = (level: StockLevel): number => level.onHand - level.reserved;

export type AdjustmentDecision =
  | { outcome: 'adjusted'; next: StockLevel }
  /** The delta would leave fewer units on hand than are reserved for orders. */
  | { outcome: 'below-reserved'; onHand: number; reserved: number }
  /** The delta would overflow what can be counted. */
  | { outcome: 'above-limit'; onHand: number };

/** A signed manual change of onHand (restock, shrinkage, count correction). */
export function adjustStockLevel(level: StockLevel, delta: number): AdjustmentDecision {
  const onHand = level.onHand + delta;
  if (onHand < level.reserved) {
    return { outcome: 'below-reserved', onHand: level.onHand, reserved: level.reserved };
  }
  if (onHand > MAX_ON_HAND) return { outcome: 'above-limit', onHand: level.onHand };
  return { outcome: 'adjusted', next: { onHand, reserved: level.reserved } };
}
