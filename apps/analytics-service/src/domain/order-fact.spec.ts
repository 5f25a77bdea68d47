import { averageOrderCents, decideSettlement } from './order-fact';

describe('settling an order fact', () => {
  it('a pending order settles', () => {
    expect(decideSettlement('PENDING', 'CONFIRMED')).toEqual({ outcome: 'apply' });
    expect(decideSettlement('PENDING', 'CANCELLED')).toEqual({ outcome: 'apply' });
  });

  it('an order not placed yet asks for a retry', () => {
    expect(decideSettlement(null, 'CONFIRMED')).toEqual({ outcome: 'not-placed-yet' });
  });

  it('the same settlement twice changes nothing', () => {
    expect(decideSettlement('CONFIRMED', 'CONFIRMED')).toMatchObject({ outcome: 'ignored' });
    expect(decideSettlement('CANCELLED', 'CANCELLED')).toMatchObject({ outcome: 'ignored' });
  });

  it('a settled order is not settled the other way', () => {
    expect(decideSettlement('CANCELLED', 'CONFIRMED')).toMatchObject({ outcome: 'ignored' });
    expect(decideSettlement('CONFIRMED', 'CANCELLED')).toMatchObject({ outcome: 'ignored' });
  });
});

describe('average order value', () => {
  it('is 0 with no confirmed order', () => {
    expect(averageOrderCents(0, 0)).toBe(0);
  });

  it('is a whole number of cents, rounded half up', () => {
    expect(averageOrderCents(1000, 3)).toBe(333);
    expect(averageOrderCents(1001, 2)).toBe(501);
    expect(averageOrderCents(9000, 1)).toBe(9000);
  });
});
