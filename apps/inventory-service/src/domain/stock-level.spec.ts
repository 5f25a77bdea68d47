import { adjustStockLevel, availableOf, MAX_ON_HAND } from './stock-level';

describe('stock level rules', () => {
  it('available is what is on hand and not reserved', () => {
    expect(availableOf({ onHand: 10, reserved: 3 })).toBe(7);
  });

  it('when units arrive or leave above what is reserved, then onHand moves by the delta', () => {
    expect(adjustStockLevel({ onHand: 10, reserved: 3 }, 5)).toEqual({
      outcome: 'adjusted',
      next: { onHand: 15, reserved: 3 },
    });
    expect(adjustStockLevel({ onHand: 10, reserved: 3 }, -7)).toEqual({
      outcome: 'adjusted',
      next: { onHand: 3, reserved: 3 },
    });
  });

  it('when a delta would leave fewer units than are reserved, then it is refused', () => {
    expect(adjustStockLevel({ onHand: 10, reserved: 3 }, -8)).toEqual({
      outcome: 'below-reserved',
      onHand: 10,
      reserved: 3,
    });
  });

  it('when a delta would overflow the counter, then it is refused', () => {
    expect(adjustStockLevel({ onHand: MAX_ON_HAND, reserved: 0 }, 1)).toEqual({
      outcome: 'above-limit',
      onHand: MAX_ON_HAND,
    });
  });
});
