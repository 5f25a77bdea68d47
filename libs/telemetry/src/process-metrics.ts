import { collectDefaultMetrics, Registry } from 'prom-client';

import { createServiceMetrics, type ServiceMetrics } from './service-metrics';

/**
 * How often the event loop's delay is sampled for the `nodejs_eventloop_lag_*` histograms. prom-client
 * samples with a timer (`perf_hooks.monitorEventLoopDelay`) every 10 ms by default: a hundred wake-ups
 * a second, which cost an idle service about 5 ms of CPU per second, a third of all it used idle
 * (BENCHMARKS.md, "Idle CPU"). Every 100 ms costs about 1. Each sample is the time between two
 * timer runs, so the histograms read this interval plus the delay (0.1 s at rest), as they read
 * 10 ms plus the delay before; `nodejs_eventloop_lag_seconds`, measured at each scrape, reads the
 * delay alone.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

function createProcessMetrics(): ServiceMetrics {
  const registry = new Registry();
  // Node's own: CPU, memory, event-loop lag, GC, handles.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  return createServiceMetrics(registry);
}

/**
 * The metrics of this process, which `/metrics` serves: one registry per process, as Prometheus
 * scrapes one endpoint per process. Code records into it (`metrics.eventsPublished.inc(...)`);
 * tests that count use `createServiceMetrics()` instead.
 */
export const metrics: ServiceMetrics = createProcessMetrics();
