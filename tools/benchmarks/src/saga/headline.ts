import type { HeadlineFigures, SagaBenchResult } from './result';

/**
 * Issue 12's acceptance figures, from where the run computed them: throughput and orders per
 * commit, the services' CPU per order (PostgreSQL, the broker and the load generator left out),
 * each service instance's idle CPU, and the latency at light load.
 */
export function headlineFigures(
  result: Omit<SagaBenchResult, 'headline'>,
  services: readonly string[],
): HeadlineFigures {
  const { msPerOrder, idleMsPerSecondByInstance } = result.system.cpu;
  const idle = services.flatMap((service) => idleMsPerSecondByInstance[service] ?? []);
  const latency = result.lightLoad?.orders.latencyMs;
  return {
    ordersPerSecond: result.system.orders.ordersPerSecond,
    ordersPerCommit: result.ratios.ordersPerCommit,
    servicesCpuMsPerOrder: services.reduce((sum, service) => sum + (msPerOrder[service] ?? NaN), 0),
    idleCpuMsPerSecondPerInstance: {
      mean: idle.length === 0 ? NaN : idle.reduce((sum, value) => sum + value, 0) / idle.length,
      max: idle.length === 0 ? NaN : Math.max(...idle),
    },
    lightLoadLatencyMs: {
      percentOfMaximum: result.lightLoad?.percentOfMaximum ?? NaN,
      p50: latency?.p50 ?? NaN,
      p95: latency?.p95 ?? NaN,
      p99: latency?.p99 ?? NaN,
    },
  };
}
