import { createServiceMetrics } from './service-metrics';

describe('createServiceMetrics', () => {
  it('when metrics are recorded, then the registry renders them in Prometheus text format with their names and labels', async () => {
    const metrics = createServiceMetrics();
    metrics.outboxBacklog.set({ service: 'order-service' }, 3);
    metrics.outboxOldestAgeSeconds.set({ service: 'order-service' }, 1.5);
    metrics.outboxQuarantined.set({ service: 'order-service' }, 1);
    metrics.outboxRelayStalled.set({ service: 'order-service' }, 0);
    metrics.outboxPublishFailures.inc({ service: 'order-service', reason: 'refused' });
    metrics.eventsPublished.inc({ topic: 'ecommerce.orders', event_type: 'OrderPlaced' });
    metrics.consumerLag.set({ group: 'inventory-service', topic: 'ecommerce.orders', partition: '0' }, 7);
    metrics.handlerDuration.observe(
      { group: 'inventory-service', event_type: 'OrderPlaced', outcome: 'processed' },
      0.02,
    );
    metrics.handlerRetries.inc({ group: 'payment-service', event_type: 'StockReserved' });
    metrics.deadLetters.inc({ group: 'notification-service', topic: 'ecommerce.orders' });
    metrics.consumerRestarts.inc({ group: 'inventory-service', cause: 'stall' });
    metrics.offsetCommits.inc({ group: 'inventory-service' });
    metrics.sagaOutcomes.inc({ outcome: 'CANCELLED', reason: 'OUT_OF_STOCK' });
    metrics.sagaDuration.observe({ outcome: 'CONFIRMED' }, 0.8);
    metrics.httpRequestDuration.observe({ method: 'POST', route: '/orders', status_code: 202 }, 0.01);

    const text = await metrics.registry.metrics();

    expect(metrics.registry.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const line of [
      '# TYPE ecommerce_outbox_backlog_events gauge',
      'ecommerce_outbox_backlog_events{service="order-service"} 3',
      'ecommerce_outbox_oldest_event_age_seconds{service="order-service"} 1.5',
      'ecommerce_outbox_quarantined_events{service="order-service"} 1',
      'ecommerce_outbox_relay_stalled{service="order-service"} 0',
      '# TYPE ecommerce_outbox_publish_failures_total counter',
      'ecommerce_outbox_publish_failures_total{service="order-service",reason="refused"} 1',
      '# TYPE ecommerce_events_published_total counter',
      'ecommerce_events_published_total{topic="ecommerce.orders",event_type="OrderPlaced"} 1',
      'ecommerce_consumer_lag_messages{group="inventory-service",topic="ecommerce.orders",partition="0"} 7',
      '# TYPE ecommerce_handler_duration_seconds histogram',
      'ecommerce_handler_duration_seconds_bucket{le="0.025",group="inventory-service",event_type="OrderPlaced",outcome="processed"} 1',
      'ecommerce_handler_retries_total{group="payment-service",event_type="StockReserved"} 1',
      'ecommerce_dead_letters_total{group="notification-service",topic="ecommerce.orders"} 1',
      'ecommerce_consumer_restarts_total{group="inventory-service",cause="stall"} 1',
      'ecommerce_consumer_offset_commits_total{group="inventory-service"} 1',
      'ecommerce_saga_outcomes_total{outcome="CANCELLED",reason="OUT_OF_STOCK"} 1',
      'ecommerce_saga_duration_seconds_count{outcome="CONFIRMED"} 1',
      'ecommerce_http_request_duration_seconds_count{method="POST",route="/orders",status_code="202"} 1',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('when two sets of metrics are created, then each counts on its own', async () => {
    const first = createServiceMetrics();
    const second = createServiceMetrics();
    first.deadLetters.inc({ group: 'g', topic: 't' });

    expect(await second.registry.metrics()).not.toContain(
      'ecommerce_dead_letters_total{group="g",topic="t"}',
    );
  });
});
