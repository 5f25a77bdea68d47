import { priceOrder, type CatalogPrice } from './pricing';

describe('priceOrder', () => {
  const prices = new Map<string, CatalogPrice>([
    ['MUG', { priceCents: 1250, currency: 'USD' }],
    ['TEE', { priceCents: 2000, currency: 'USD' }],
    ['CAP', { priceCents: 900, currency: 'EUR' }],
  ]);

  it('when every SKU is known in one currency, then each line gets its unit price and the total is their sum', () => {
    expect(
      priceOrder(
        [
          { sku: 'MUG', quantity: 2 },
          { sku: 'TEE', quantity: 1 },
        ],
        prices,
      ),
    ).toEqual({
      outcome: 'priced',
      items: [
        { sku: 'MUG', quantity: 2, unitPriceCents: 1250 },
        { sku: 'TEE', quantity: 1, unitPriceCents: 2000 },
      ],
      totalCents: 4500,
      currency: 'USD',
    });
  });

  it('when SKUs are unknown, then each is named once, sorted', () => {
    expect(
      priceOrder(
        [
          { sku: 'ZZZ', quantity: 1 },
          { sku: 'MUG', quantity: 1 },
          { sku: 'AAA', quantity: 1 },
          { sku: 'ZZZ', quantity: 2 },
        ],
        prices,
      ),
    ).toEqual({ outcome: 'unknown-skus', skus: ['AAA', 'ZZZ'] });
  });

  it('when lines are in different currencies, then the order is refused', () => {
    expect(
      priceOrder(
        [
          { sku: 'MUG', quantity: 1 },
          { sku: 'CAP', quantity: 1 },
        ],
        prices,
      ),
    ).toEqual({ outcome: 'mixed-currencies', currencies: ['EUR', 'USD'] });
  });
});
