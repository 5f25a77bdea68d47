import { distribution } from '../stats';
import { headlineFigures } from './headline';
import type { SagaBenchResult } from './result';

type Run = Omit<SagaBenchResult, 'headline'>;

/** Only what the headline reads; the rest of a result does not matter to it. */
function run(
  cpu: Pick<SagaBenchResult['system']['cpu'], 'msPerOrder' | 'idleMsPerSecondByInstance'>,
  lightLoad?: Run['lightLoad'],
): Run {
  return {
    system: { orders: { ordersPerSecond: 12 }, cpu },
    ratios: { ordersPerCommit: 0.002 },
    ...(lightLoad && { lightLoad }),
  } as unknown as Run;
}

describe('headline figures', () => {
  it('when services run two instances, then CPU per order adds the services and idle CPU is per instance', () => {
    const figures = headlineFigures(
      run({
        msPerOrder: { order: 20, payment: 15, postgres: 8, 'kafka broker': 10, 'load generator': 4 },
        idleMsPerSecondByInstance: { order: [30, 50], payment: [10, 30], postgres: [1] },
      }),
      ['order', 'payment'],
    );
    expect(figures).toMatchObject({
      ordersPerSecond: 12,
      ordersPerCommit: 0.002,
      servicesCpuMsPerOrder: 35, // PostgreSQL, the broker and the load generator left out
      idleCpuMsPerSecondPerInstance: { mean: 30, max: 50 },
    });
  });

  it('when a light load ran, then its latency is in the headline; without one, NaN rather than a number', () => {
    const cpu = { msPerOrder: { order: 1 }, idleMsPerSecondByInstance: { order: [1] } };
    const light = run(cpu, {
      percentOfMaximum: 25,
      ordersPerSecondOffered: 3,
      orders: { latencyMs: distribution([10, 20, 30, 400]) } as Run['system']['orders'],
      failures: { http: 0, unfinished: 0 },
    });
    expect(headlineFigures(light, ['order']).lightLoadLatencyMs).toEqual({
      percentOfMaximum: 25,
      p50: 20,
      p95: 400,
      p99: 400,
    });
    expect(headlineFigures(run(cpu), ['order']).lightLoadLatencyMs.p99).toBeNaN();
  });

  it('when a service has no CPU figure (its process died), then the services total is NaN, not an undercount', () => {
    const figures = headlineFigures(run({ msPerOrder: { order: 20 }, idleMsPerSecondByInstance: {} }), [
      'order',
      'payment',
    ]);
    expect(figures.servicesCpuMsPerOrder).toBeNaN();
    expect(figures.idleCpuMsPerSecondPerInstance.mean).toBeNaN();
  });
});
