import { measureOrders, secondBySecond, type OrderSample } from './order-samples';

const order = (startedAt: number, endedAt: number, cancelReason?: string): OrderSample => ({
  startedAt,
  acceptedAt: startedAt + 10,
  endedAt,
  outcome: cancelReason ? 'CANCELLED' : 'CONFIRMED',
  ...(cancelReason && { cancelReason }),
});

describe('measureOrders', () => {
  const samples = [
    order(500, 900), // warm-up: neither counted nor timed
    order(900, 1_100), // started in warm-up, ended in the window: throughput only
    order(1_000, 1_300),
    order(1_500, 2_100, 'PAYMENT_DECLINED'),
    order(2_900, 3_400), // started in the window, ended after it: latency only
  ];

  it('when orders straddle the window, then throughput counts endings in it and latency the orders started in it', () => {
    const measured = measureOrders(samples, 1_000, 3_000);
    expect(measured.completedInWindow).toBe(3);
    expect(measured.ordersPerSecond).toBe(1.5);
    expect(measured.started).toBe(3);
    expect(measured.latencyMs).toMatchObject({ count: 3, p50: 500, max: 600 });
    expect(measured.acceptMs.max).toBe(10);
    expect(measured.confirmed).toBe(2);
    expect(measured.cancelled).toEqual({ PAYMENT_DECLINED: 1 });
  });
});

describe('secondBySecond', () => {
  it('when orders end in some seconds only, then every second has a row and idle ones have no latency', () => {
    const series = secondBySecond(
      [order(0, 400), order(100, 900), order(2_000, 2_050)],
      [
        { at: 1_000, maxLag: 4 },
        { at: 1_500, maxLag: 9 },
      ],
    );
    expect(series.map((s) => [s.second, s.completed, s.p50, s.p99, s.maxLag])).toEqual([
      [0, 2, 400, 800, -1],
      [1, 0, NaN, NaN, 9],
      [2, 1, 50, 50, -1],
    ]);
  });
});
