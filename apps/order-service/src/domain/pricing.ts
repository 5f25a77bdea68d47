/**
 * Pricing an order from the catalog replica, as a pure function: every line gets the replica's unit
 * price, and the total is their sum. An order must be in one currency.
 */
export interface RequestedLine {
  sku: string;
  quantity: number;
}

export interface CatalogPrice {
  priceCents: number;
  currency: string;
}

export interface PricedLine extends RequestedLine {
  unitPriceCents: number;
}

export type PricingResult =
  | { outcome: 'priced'; items: PricedLine[]; totalCents: number; currency: string }
  | { outcome: 'unknown-skus'; skus: string[] }
  | { outcome: 'mixed-currencies'; currencies: string[] };

export function priceOrder(
  lines: readonly RequestedLine[],
  prices: ReadonlyMap<string, CatalogPrice>,
): PricingResult {
  const unknown = [...new Set(lines.map((line) => line.sku).filter((sku) => !prices.has(sku)))];
  if (unknown.length > 0) return { outcome: 'unknown-skus', skus: unknown.sort() };
  const items = lines.map((line) => {
    const price = prices.get(line.sku) as CatalogPrice;
    return {
      sku: line.sku,
      quantity: line.quantity,
      unitPriceCents: price.priceCents,
      currency: price.currency,
    };
  });
  const currencies = [...new Set(items.map((item) => item.currency))];
  if (currencies.length !== 1) return { outcome: 'mixed-currencies', currencies: currencies.sort() };
  return {
    outcome: 'priced',
    items: items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
    totalCents: items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
    currency: currencies[0] as string,
  };
}
