import type { ServiceMetrics } from '@ecommerce/telemetry';

import type { OutboxRelayObserver } from './outbox-relay';

/** Reports the relay's work as the service's Prometheus metrics (SPEC section 7). */
export function relayMetricsObserver(metrics: ServiceMetrics, service: string): OutboxRelayObserver {
  return {
    published: (messages) => {
      for (const message of messages) {
        metrics.eventsPublished.inc({ topic: message.topic, event_type: message.eventType });
      }
    },
    backlog: (pending, oldestAgeSeconds) => {
      metrics.outboxBacklog.set({ service }, pending);
      metrics.outboxOldestAgeSeconds.set({ service }, oldestAgeSeconds);
    },
  };
}
