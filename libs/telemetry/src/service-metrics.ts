import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric of SPEC §7, defined here and nowhere else: code records into them, `/metrics`
 * serves them. Names follow Prometheus conventions (`ecommerce_` prefix, unit in the name, `_total`
 * on counters); label values are kept to bounded sets (topics, groups, event types, outcomes, route
 * patterns), never ids.
 */
export interface ServiceMetrics {
  /** What `/metrics` serves. */
  readonly registry: Registry;
  /** Outbox rows written and waiting to be published (quarantined rows are counted apart). */
  readonly outboxBacklog: Gauge<'service'>;
  /** Age of the oldest row waiting to be published; 0 when none waits. */
  readonly outboxOldestAgeSeconds: Gauge<'service'>;
  /** Outbox rows the broker refused for good, set aside until retried or discarded through the admin API. */
  readonly outboxQuarantined: Gauge<'service'>;
  /** 1 while this instance's relay leads, has rows waiting, and has published nothing for its stall window. */
  readonly outboxRelayStalled: Gauge<'service'>;
  /** Failed publishes by the relay. `reason`: `refused` (the broker refused rows for good) or `unavailable` (an outage). */
  readonly outboxPublishFailures: Counter<'service' | 'reason'>;
  /** Events the relay has published (the publish rate is its `rate()`). */
  readonly eventsPublished: Counter<'topic' | 'event_type'>;
  /** Messages between a consumer group's committed offset and the partition's end. */
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  /**
   * One handler invocation, from receipt to commit. `outcome`: `processed` (effect committed),
   * `duplicate` (already in the inbox), `ignored` (no longer applies), `failed` (threw).
   */
  readonly handlerDuration: Histogram<'group' | 'event_type' | 'outcome'>;
  /** Handler attempts after the first. */
  readonly handlerRetries: Counter<'group' | 'event_type'>;
  /** Messages sent to a dead-letter topic after their last attempt. */
  readonly deadLetters: Counter<'group' | 'topic'>;
  /**
   * A consumer restarted by the service: `cause` `crash` (kafkajs gave up on it) or `stall` (the
   * watchdog saw no progress). Its readiness failed until it ran again.
   */
  readonly consumerRestarts: Counter<'group' | 'cause'>;
  /** OffsetCommit requests a consumer group's member sent (KAFKA_CONSUMER_COMMIT_INTERVAL_MS bounds them). */
  readonly offsetCommits: Counter<'group'>;
  /** Orders reaching a terminal state. `outcome`: `CONFIRMED` or `CANCELLED`; `reason`: the cancel reason, `none` when confirmed. */
  readonly sagaOutcomes: Counter<'outcome' | 'reason'>;
  /** From `OrderPlaced` to the order's terminal state. */
  readonly sagaDuration: Histogram<'outcome'>;
  /** HTTP requests by route pattern (`/orders/:id`, not the URL), method and status. */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
}

/**
 * Registers every service metric in `registry`. A running service uses the process's registry
 * (`metrics`); a test passes a fresh one so its counts are its own.
 */
export function createServiceMetrics(registry: Registry = new Registry()): ServiceMetrics {
  const registers = [registry];
  return {
    registry,
    outboxBacklog: new Gauge({
      name: 'ecommerce_outbox_backlog_events',
      help: 'Outbox rows waiting to be published (quarantined rows not included)',
      labelNames: ['service'],
      registers,
    }),
    outboxOldestAgeSeconds: new Gauge({
      name: 'ecommerce_outbox_oldest_event_age_seconds',
      help: 'Age of the oldest outbox row waiting to be published, 0 when none waits',
      labelNames: ['service'],
      registers,
    }),
    outboxQuarantined: new Gauge({
      name: 'ecommerce_outbox_quarantined_events',
      help: 'Outbox rows the broker refused for good, set aside until retried or discarded',
      labelNames: ['service'],
      registers,
    }),
    outboxRelayStalled: new Gauge({
      name: 'ecommerce_outbox_relay_stalled',
      help: '1 while the outbox relay leader has rows waiting and has published nothing for its stall window',
      labelNames: ['service'],
      registers,
    }),
    outboxPublishFailures: new Counter({
      name: 'ecommerce_outbox_publish_failures_total',
      help: 'Failed publishes of the outbox relay, by reason (refused, unavailable)',
      labelNames: ['service', 'reason'],
      registers,
    }),
    eventsPublished: new Counter({
      name: 'ecommerce_events_published_total',
      help: 'Events published to Kafka by the outbox relay',
      labelNames: ['topic', 'event_type'],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'ecommerce_consumer_lag_messages',
      help: "Messages between a consumer group's committed offset and the end of the partition",
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    handlerDuration: new Histogram({
      name: 'ecommerce_handler_duration_seconds',
      help: 'Event handler invocations, from receipt to commit',
      labelNames: ['group', 'event_type', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    handlerRetries: new Counter({
      name: 'ecommerce_handler_retries_total',
      help: 'Event handler attempts after the first',
      labelNames: ['group', 'event_type'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'ecommerce_dead_letters_total',
      help: 'Messages sent to a dead-letter topic after their last attempt',
      labelNames: ['group', 'topic'],
      registers,
    }),
    consumerRestarts: new Counter({
      name: 'ecommerce_consumer_restarts_total',
      help: 'Consumers restarted after a crash kafkajs gave up on, or a stall the watchdog saw',
      labelNames: ['group', 'cause'],
      registers,
    }),
    offsetCommits: new Counter({
      name: 'ecommerce_consumer_offset_commits_total',
      help: 'Offset commits sent to Kafka: one per commit interval at most, plus one after a dead letter, at a rebalance and at a stop',
      labelNames: ['group'],
      registers,
    }),
    sagaOutcomes: new Counter({
      name: 'ecommerce_saga_outcomes_total',
      help: 'Orders reaching CONFIRMED or CANCELLED, with the cancel reason',
      labelNames: ['outcome', 'reason'],
      registers,
    }),
    sagaDuration: new Histogram({
      name: 'ecommerce_saga_duration_seconds',
      help: 'Time from OrderPlaced to the terminal state of the order',
      labelNames: ['outcome'],
      // Up to past the default saga timeout (30 s), so TIMEOUT cancellations land in a bucket.
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'ecommerce_http_request_duration_seconds',
      help: 'HTTP requests served, by route pattern',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}
