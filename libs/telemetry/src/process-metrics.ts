import { collectDefaultMetrics, Registry } from 'prom-client';

import { createServiceMetrics, type ServiceMetrics } from './service-metrics';

function createProcessMetrics(): ServiceMetrics {
  const registry = new Registry();
  // Node's own: CPU, memory, event-loop lag, GC, handles.
  collectDefaultMetrics({ register: registry });
  return createServiceMetrics(registry);
}

/**
 * The metrics of this process, which `/metrics` serves: one registry per process, as Prometheus
 * scrapes one endpoint per process. Code records into it (`metrics.eventsPublished.inc(...)`);
 * tests that count use `createServiceMetrics()` instead.
 */
export const metrics: ServiceMetrics = createProcessMetrics();
