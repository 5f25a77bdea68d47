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
    backlog: ({ waiting, oldestAgeSeconds, quarantined }) => {
      metrics.outboxBacklog.set({ service }, waiting);
      metrics.outboxOldestAgeSeconds.set({ service }, oldestAgeSeconds);
      metrics.outboxQuarantined.set({ service }, quarantined);
    },
    publishFailed: (reason) => metrics.outboxPublishFailures.inc({ service, reason }),
    stalled: (stalled) => metrics.outboxRelayStalled.set({ service }, stalled ? 1 : 0),
  };
}
