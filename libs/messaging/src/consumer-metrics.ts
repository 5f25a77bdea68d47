import type { ServiceMetrics } from '@ecommerce/telemetry';

import type { ConsumerObserver } from './event-consumer';

/** Reports a consumer group's work as the service's Prometheus metrics (SPEC section 7). */
export function consumerMetricsObserver(metrics: ServiceMetrics, group: string): ConsumerObserver {
  return {
    handled: (event, outcome, durationMs) =>
      metrics.handlerDuration.observe({ group, event_type: event.type, outcome }, durationMs / 1_000),
    retried: (event) => metrics.handlerRetries.inc({ group, event_type: event.type }),
    deadLettered: ({ topic }) => metrics.deadLetters.inc({ group, topic }),
    lag: (topic, partition, lag) =>
      metrics.consumerLag.set({ group, topic, partition: String(partition) }, lag),
    restarted: (cause) => metrics.consumerRestarts.inc({ group, cause }),
    committed: () => metrics.offsetCommits.inc({ group }),
  };
}
