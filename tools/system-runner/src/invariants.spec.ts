import { judgeSnapshot, type InvariantExpectations, type SystemSnapshot } from './invariants';

const confirmed = {
  orderId: 'o-1',
  customerId: 'c-1',
  status: 'CONFIRMED' as const,
  totalCents: 2500,
  items: [{ sku: 'MUG', quantity: 2 }],
};
const declined = {
  orderId: 'o-2',
  customerId: 'c-2',
  status: 'CANCELLED' as const,
  cancelReason: 'PAYMENT_DECLINED',
  totalCents: 1250,
  items: [{ sku: 'MUG', quantity: 1 }],
};

/** A run of two orders in which everything adds up. */
function consistent(): SystemSnapshot {
  return {
    orders: [confirmed, declined],
    payments: new Map([
      ['o-1', [{ status: 'AUTHORIZED' as const, amountCents: 2500 }]],
      ['o-2', [{ status: 'FAILED' as const, amountCents: 1250 }]],
    ]),
    notifications: new Map([
      ['o-1', [{ template: 'order-received' }, { template: 'order-confirmed' }]],
      ['o-2', [{ template: 'order-cancelled' }, { template: 'order-received' }]],
    ]),
    stock: new Map([['MUG', { onHand: 8, reserved: 0, available: 8 }]]),
    summary: {
      ordersPlaced: 2,
      ordersConfirmed: 1,
      ordersCancelled: 1,
      cancelReasons: { PAYMENT_DECLINED: 1, OUT_OF_STOCK: 0 },
      revenueCents: 2500,
      averageOrderCents: 2500,
    },
  };
}

const baseline: InvariantExpectations = { stockBaseline: { MUG: 10 } };
const failed = (snapshot: SystemSnapshot, expectations = baseline) =>
  judgeSnapshot(snapshot, expectations)
    .filter((result) => !result.held)
    .map((result) => result.invariant);

describe('judging the invariants of SPEC section 5 from a snapshot', () => {
  it('when everything adds up, then invariants 1 to 5 hold', () => {
    expect(judgeSnapshot(consistent(), baseline).map((r) => [r.invariant, r.held])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, true],
      [5, true],
    ]);
  });

  it('when an order is still PENDING, then invariant 1 fails and names it', () => {
    const snapshot = consistent();
    snapshot.orders = [...snapshot.orders, { ...declined, orderId: 'o-3', status: 'PENDING' }];
    const [first] = judgeSnapshot(snapshot, baseline);
    expect(first).toMatchObject({ invariant: 1, held: false, detail: expect.stringContaining('o-3') });
  });

  it.each([
    ['a reservation is left', { onHand: 8, reserved: 1, available: 7 }],
    ['a confirmed quantity was not taken off', { onHand: 10, reserved: 0, available: 10 }],
  ])('when %s, then invariant 2 fails', (_case, stock) => {
    const snapshot = consistent();
    snapshot.stock = new Map([['MUG', stock]]);
    expect(failed(snapshot)).toEqual([2]);
  });

  it('when available went negative during the run, then invariant 2 fails though it is fine now', () => {
    expect(failed(consistent(), { ...baseline, lowestAvailable: { MUG: -1 } })).toEqual([2]);
  });

  it.each([
    ['a confirmed order was authorized twice', 'o-1', [2500, 2500]],
    ['a confirmed order was authorized for another amount', 'o-1', [2000]],
    ['a cancelled order keeps an authorization', 'o-2', [1250]],
  ])('when %s, then invariant 3 fails', (_case, orderId, amounts) => {
    const snapshot = consistent();
    snapshot.payments = new Map([
      ...snapshot.payments,
      [orderId, amounts.map((amountCents) => ({ status: 'AUTHORIZED' as const, amountCents }))],
    ]);
    expect(failed(snapshot)).toEqual([3]);
  });

  it('when a refunded authorization is all a cancelled order has, then invariant 3 holds', () => {
    const snapshot = consistent();
    snapshot.payments = new Map([
      ...snapshot.payments,
      ['o-2', [{ status: 'REFUNDED' as const, amountCents: 1250 }]],
    ]);
    expect(failed(snapshot)).toEqual([]);
  });

  it('when a notification was sent twice, then invariant 4 fails', () => {
    const snapshot = consistent();
    snapshot.notifications = new Map([
      ...snapshot.notifications,
      [
        'o-1',
        [{ template: 'order-received' }, { template: 'order-confirmed' }, { template: 'order-confirmed' }],
      ],
    ]);
    expect(failed(snapshot)).toEqual([4]);
  });

  it.each([
    ['counts an order twice', { ordersPlaced: 3 }],
    ['misses a cancel reason', { cancelReasons: {} }],
    ['counts revenue of a cancelled order', { revenueCents: 3750, averageOrderCents: 3750 }],
  ])('when analytics %s, then invariant 5 fails', (_case, change) => {
    const snapshot = consistent();
    snapshot.summary = { ...snapshot.summary, ...change };
    expect(failed(snapshot)).toEqual([5]);
  });
});
