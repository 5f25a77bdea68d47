import {
  describeStall,
  percentile,
  sagaResumedCheck,
  settledOrders,
  stallCheck,
  stallFigures,
  type SettledOrder,
} from './stall';

const LOAD = 1_000_000;
const order = (
  sentAt: number,
  settledAt: number,
  extra: Partial<Pick<SettledOrder, 'kind' | 'cancelReason'>> = {},
): SettledOrder => ({
  customerId: `customer-${sentAt}`,
  kind: 'happy',
  cancelReason: undefined,
  sentAt: LOAD + sentAt,
  settledAt: LOAD + settledAt,
  ...extra,
});
/** The run's first fault began at t+70 s; before it, the system was undisturbed. */
const times = { loadStartedAt: LOAD, firstFaultAt: LOAD + 70_000 };
/** A broker down from t+100 s to t+130 s. */
const window = {
  kind: 'kafka-broker-crash' as const,
  target: 'Kafka node 2',
  from: LOAD + 100_000,
  to: LOAD + 130_000,
};

describe('the stall of the saga during a fault', () => {
  it('when orders wait through the fault, then the longest POST-to-terminal is that of the one that waited most', () => {
    const figures = stallFigures(
      window,
      [
        order(50_000, 51_000), // settled before the first fault: undisturbed
        order(60_000, 62_000), // undisturbed
        order(69_000, 80_000), // settled after the first fault began: neither
        order(99_000, 115_000), // sent before, settled during: in flight, 16 s
        order(110_000, 131_000), // sent during, settled after: 21 s, the longest
        order(129_000, 131_500), // in flight
        order(140_000, 141_000), // after the window: not in flight
      ],
      times,
    );
    expect(figures).toMatchObject({
      fromSeconds: 100,
      toSeconds: 130,
      inFlight: 3,
      longestMs: 21_000,
      longestSentAtSeconds: 110,
      timedOut: 0,
      undisturbed: { orders: 2, p50Ms: 1_000, p99Ms: 2_000 },
    });
  });

  it('when nothing is settled by the saga for a while, then that stretch is measured, timeouts and cancels aside', () => {
    const figures = stallFigures(
      window,
      [
        order(99_000, 101_000), // settled 1 s into the window
        order(101_000, 104_000, { kind: 'customer-cancel', cancelReason: 'CUSTOMER_REQUEST' }),
        order(80_000, 110_000, { cancelReason: 'TIMEOUT' }),
        order(102_000, 119_000), // 18 s after the previous settlement by the saga's events
        order(125_000, 127_000),
        order(128_000, 138_000), // the first settlement after the window ends it: 11 s
      ],
      times,
    );
    expect(figures.nothingSettledMs).toBe(18_000);
    expect(figures.timedOut).toBe(1);
    expect(figures.timedOutHappyPath).toBe(1);
  });

  it('when no order settles after the window began, then the whole window counts as standing still', () => {
    expect(stallFigures(window, [order(10_000, 11_000)], times).nothingSettledMs).toBe(30_000);
  });

  it('when the figures are described, then the line names each of them', () => {
    // Settled 1 s after the window: the saga stood still from its start to then, 31 s.
    const figures = stallFigures(window, [order(110_000, 131_000)], times);
    expect(describeStall(figures)).toBe(
      '1 order in flight; longest POST-to-terminal 21.0 s (sent t+110s); nothing settled by the saga for 31.0 s; ' +
        '0 TIMEOUT (0 happy-path); undisturbed: p50 -, p99 - (0 orders before the first fault)',
    );
  });

  it('when a percentile is asked of sorted values, then it is the nearest rank', () => {
    expect(percentile([], 0.5)).toBeUndefined();
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(percentile([5], 0.01)).toBe(5);
  });
});

describe("joining the clients' orders with their settlements", () => {
  const client = (orderId: string | undefined, sentAt: number) => ({
    kind: 'declined' as const,
    customerId: `c-${orderId}`,
    idempotencyKey: 'k',
    attempts: 1,
    outcome: orderId ? ('accepted' as const) : ('gave-up' as const),
    ...(orderId && { orderId }),
    sentAt,
  });

  it("when an order was settled, then it carries the client's send time and the service's settle time", () => {
    const joined = settledOrders(
      [client('a', 10), client('b', 20), client(undefined, 30)],
      [{ orderId: 'a', settledAt: new Date(15), cancelReason: 'PAYMENT_DECLINED' }],
    );
    expect(joined).toEqual([
      { customerId: 'c-a', kind: 'declined', sentAt: 10, settledAt: 15, cancelReason: 'PAYMENT_DECLINED' },
    ]);
  });
});

describe('the check of a fault that must not make an order time out', () => {
  const because = 'SPEC 10';

  it('when orders were in flight and none timed out, then it held', () => {
    const check = stallCheck(stallFigures(window, [order(110_000, 115_000)], times), because);
    expect(check).toMatchObject({ id: 'F-broker', held: true });
    expect(check.title).toBe('kafka-broker-crash (Kafka node 2): no order in flight times out (SPEC 10)');
  });

  it('when an order in flight ended TIMEOUT, then it did not hold', () => {
    const check = stallCheck(
      stallFigures(window, [order(110_000, 140_000, { cancelReason: 'TIMEOUT' })], times),
      because,
    );
    expect(check.held).toBe(false);
    expect(check.detail).toMatch(/^1 of the 1 orders in flight ended TIMEOUT/);
  });

  it('when no order was in flight, then nothing was tested and it did not hold', () => {
    const check = stallCheck(stallFigures(window, [order(10_000, 11_000)], times), because);
    expect(check).toMatchObject({
      held: false,
      detail: 'no order was in flight during the fault: nothing was tested',
    });
  });
});

describe('the saga resuming after a fault that stops it whole', () => {
  const bound = 15_000;

  it('when the saga settles an order soon after the fault, then it resumed within the bound', () => {
    const figures = stallFigures(
      window,
      [
        order(95_000, 131_000, { cancelReason: 'TIMEOUT' }), // the sweeper, not the saga
        order(99_000, 137_000), // the saga's first, 7 s after the window
        order(120_000, 140_000),
      ],
      times,
    );
    expect(figures.resumedAfterMs).toBe(7_000);
    expect(sagaResumedCheck(figures, bound)).toMatchObject({ id: 'F-resume', held: true });
  });

  it('when the saga settles its first order later than the bound, then it did not hold and says when', () => {
    const check = sagaResumedCheck(stallFigures(window, [order(99_000, 146_000)], times), bound);
    expect(check.held).toBe(false);
    expect(check.detail).toContain('the saga settled its first order 16.0 s after the fault (bound 15 s)');
  });

  it('when the saga settled nothing after the fault, then it did not hold', () => {
    const check = sagaResumedCheck(stallFigures(window, [order(99_000, 120_000)], times), bound);
    expect(check).toMatchObject({ held: false, detail: 'the saga settled no order after the fault' });
  });
});
