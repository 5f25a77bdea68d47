import { waitFor } from '@ecommerce/test-infra';

import { metrics } from './process-metrics';

/**
 * The lowest event-loop sample so far, in seconds; undefined before the first sample (prom-client
 * reports 0 before its first collection and a huge number before the sampler's first run).
 */
async function lowestEventLoopSample(): Promise<number | undefined> {
  const all = await metrics.registry.getMetricsAsJSON(); // collects every metric, the lag gauges too
  const value = all.find((metric) => metric.name === 'nodejs_eventloop_lag_min_seconds')?.values[0]?.value;
  return value !== undefined && value > 0 && value < 60 ? value : undefined;
}

describe('process metrics', () => {
  // Each sample is the time between two runs of the sampler's timer, so the lowest one is the
  // sampling interval: about 0.01 s at prom-client's default, which costs an idle service some
  // 5 ms of CPU per second (BENCHMARKS.md, "Idle CPU").
  it('samples the event loop every 100 ms, not every 10 ms', async () => {
    const lowest = await waitFor('a first event-loop sample', lowestEventLoopSample, {
      timeoutMs: 5_000,
      intervalMs: 500, // each collection resets the sampler's histogram: leave it time to sample
    });

    expect(lowest).toBeGreaterThanOrEqual(0.09);
  });
});
