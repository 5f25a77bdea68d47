import type { OutboxRelaySettings } from '@ecommerce/config';
import { allTopics, EventCodec, topicName, type EventPayloads, type TopicKey } from '@ecommerce/contracts';
import type { RunInTransaction, SqlExecutor } from '@ecommerce/database';
import {
  consumerGroupId,
  consumerMetricsObserver,
  connectionSettings,
  consumerLiveness,
  createKafka,
  createSchemaRegistry,
  assertInboxOutlivesTopics,
  deadLetterTopic,
  ensureTopics,
  InboxPruner,
  retentionSettings,
  untilClusterSettles,
  EventConsumer,
  KafkaPublisher,
  type ConsumerLivenessSettings,
  type ConsumerLogger,
  type MessagingSettings,
  type RetentionSettingValues,
  type TopicRetention,
  UNLIMITED_RETENTION_MS,
  type EventHandlers,
  type LockBatch,
  type RetryPolicy,
  type KafkaLogger,
} from '@ecommerce/messaging';
import { OutboxRelay, relayMetricsObserver, type RelayLogger } from '@ecommerce/outbox';
import { metrics } from '@ecommerce/telemetry';

import { OutboxStatusReporter } from './outbox-status-reporter';

/**
 * The messaging settings every service reads (see `serviceSettings` in @ecommerce/config), and, in a
 * service that publishes, its relay's (`outboxRelaySettings`; each one left out takes its default).
 */
export interface EventBackboneSettings
  extends MessagingSettings, RetentionSettingValues, ConsumerLivenessSettings, Partial<OutboxRelaySettings> {
  TOPIC_PREFIX: string;
  KAFKA_TOPIC_PARTITIONS: number;
  KAFKA_REPLICATION_FACTOR: number;
  /** Default 5 s: see `OutboxStatusReporter`. */
  OUTBOX_STATUS_INTERVAL_MS?: number;
  /** Default 1 s: see `EventConsumerOptions.offsetCommitIntervalMs`. */
  KAFKA_CONSUMER_COMMIT_INTERVAL_MS?: number;
}

/** A consumer group of this service over contract events. */
export interface ConsumeOptions<Tx extends SqlExecutor> {
  /**
   * The group's name within the system; defaults to the service's name: one group per service, each
   * instance a member of it. Its Kafka id carries the topic prefix (`consumerGroupId`); its
   * dead-letter topic is `<prefix>dlq.<name>` and its metrics are labelled with the name.
   */
  groupId?: string;
  topics: readonly TopicKey[];
  handlers: EventHandlers<EventPayloads, Tx>;
  runInTransaction: RunInTransaction<Tx>;
  logger: ConsumerLogger;
  retry?: Partial<RetryPolicy>;
  /** See `EventConsumerOptions.transactionPerBatch`. Default false. */
  transactionPerBatch?: boolean;
  /** See `EventConsumerOptions.lockBatch`. */
  lockBatch?: LockBatch<EventPayloads, Tx>;
}

export interface EventBackbone {
  /** The Kafka client every consumer, producer and admin of the service is made from. */
  kafka: ReturnType<typeof createKafka>;
  codec: EventCodec;
  topicPrefix: string;
  /**
   * Starts a consumer group on contract events: decoded (and resolved to this service's schema
   * versions) by the codec, applied once per event through the inbox, retried, dead-lettered to
   * `<prefix>dlq.<group>`, measured, watched for stalls. The Kafka group is `<prefix><group>`.
   * Resolves once the consumer is connected and subscribed, not once it has joined the group (a
   * join waits for the group's rebalance).
   */
  consume<Tx extends SqlExecutor>(options: ConsumeOptions<Tx>): Promise<void>;
  /**
   * Readiness checks of what the backbone runs, in the shape the HTTP server takes as dependencies:
   * `consumers` (every consumer group running: not restarting after a crash or a stall, not
   * stopped) and, in a service that publishes, `outboxRelay` (running, and not stalled: see
   * `OutboxRelay.checkRunning`).
   */
  readiness(): Record<string, { check(): Promise<void> }>;
  /** Stops the consumers, finishing the events in hand; readiness then says they are stopped. */
  stopConsumers(): Promise<void>;
  /** Stops the consumers (finishing the events in hand), then the relay (finishing its batch). */
  stop(): Promise<void>;
}

/**
 * What a service needs before it serves: its event schemas registered (BACKWARD compatibility),
 * every topic present with the configured partitions, replication factor and retention (see
 * `ensureTopics`: a shorter retention is raised, a longer one kept), and, for a service that
 * publishes, its outbox relay running. While it consumes, its inbox is pruned after
 * INBOX_RETENTION_MS, when that is finite.
 */
export async function startEventBackbone(options: {
  serviceName: string;
  settings: EventBackboneSettings;
  databaseUrl: string;
  /** The service's logger: the relay's lines, and kafkajs's own at mapped levels. */
  logger: RelayLogger & KafkaLogger;
  publishesEvents: boolean;
}): Promise<EventBackbone> {
  const { settings } = options;
  const connections = connectionSettings(options.serviceName, settings);
  const retention = retentionSettings(settings);
  const liveness = consumerLiveness(settings);
  const kafka = createKafka({ ...connections.kafka, logger: options.logger });
  const codec = new EventCodec({
    registry: createSchemaRegistry(connections.schemaRegistry),
    topicPrefix: settings.TOPIC_PREFIX,
  });
  // A registry still starting, or a request that timed out, is not a reason to exit: registering is
  // idempotent, so it is tried again like the cluster steps. An incompatible schema (409) is, at once.
  await untilClusterSettles('register the event schemas', () => codec.registerSchemas(), {
    isRetriable: (error) => (error as { code?: unknown }).code !== 'SCHEMA_INCOMPATIBLE',
  });
  const eventTopics = await untilClusterSettles('create the topics', () =>
    ensureTopics(kafka, allTopics(settings.TOPIC_PREFIX), {
      partitions: settings.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: settings.KAFKA_REPLICATION_FACTOR,
      retentionMs: retention.topicMs,
    }),
  );
  reportRetention(options.logger, eventTopics, 'KAFKA_TOPIC_RETENTION_MS');
  assertInboxOutlivesTopics(retention.inboxMs, eventTopics);

  // One sweep per service, over every group's rows, on the transactions of its first consumer.
  let inboxPruner: InboxPruner | undefined;

  const consumers: { stop(): Promise<void>; checkRunning(): Promise<void> }[] = [];
  // Stopped consumers stay listed, so readiness says they are stopped (a service shutting down, or
  // analytics rebuilding its read models); a consume() after a stop starts the list afresh.
  let consumersStopped = false;
  const consume = async <Tx extends SqlExecutor>(consumeOptions: ConsumeOptions<Tx>): Promise<void> => {
    const groupId = consumeOptions.groupId ?? options.serviceName;
    const consumer = new EventConsumer<EventPayloads, Tx>({
      kafka,
      groupId: consumerGroupId(settings.TOPIC_PREFIX, groupId),
      topics: consumeOptions.topics.map((topic) => topicName(topic, settings.TOPIC_PREFIX)),
      decoder: codec,
      handlers: consumeOptions.handlers,
      runInTransaction: consumeOptions.runInTransaction,
      deadLetterTopic: deadLetterTopic(settings.TOPIC_PREFIX, groupId),
      deadLetterTopicSettings: {
        partitions: settings.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: settings.KAFKA_REPLICATION_FACTOR,
        retentionMs: retention.deadLetterMs,
      },
      logger: consumeOptions.logger,
      logFields: orderOf,
      observer: consumerMetricsObserver(metrics, groupId),
      liveness,
      ...(settings.KAFKA_CONSUMER_COMMIT_INTERVAL_MS !== undefined && {
        offsetCommitIntervalMs: settings.KAFKA_CONSUMER_COMMIT_INTERVAL_MS,
      }),
      ...(consumeOptions.retry && { retry: consumeOptions.retry }),
      ...(consumeOptions.transactionPerBatch && { transactionPerBatch: true }),
      ...(consumeOptions.lockBatch && { lockBatch: consumeOptions.lockBatch }),
    });
    await consumer.start();
    if (consumersStopped) consumers.splice(0);
    consumersStopped = false;
    consumers.push(consumer);
    if (!inboxPruner && retention.inboxMs !== UNLIMITED_RETENTION_MS) {
      inboxPruner = new InboxPruner({
        retentionMs: retention.inboxMs,
        runInTransaction: consumeOptions.runInTransaction,
        logger: options.logger,
      });
      inboxPruner.start();
    }
  };
  const stopConsumers = async () => {
    await inboxPruner?.stop();
    inboxPruner = undefined;
    consumersStopped = true;
    await Promise.all(consumers.map((consumer) => consumer.stop()));
  };
  const consumersRunning = {
    check: async () => void (await Promise.all(consumers.map((consumer) => consumer.checkRunning()))),
  };

  if (!options.publishesEvents) {
    return {
      kafka,
      codec,
      topicPrefix: settings.TOPIC_PREFIX,
      consume,
      readiness: () => ({ consumers: consumersRunning }),
      stopConsumers,
      stop: stopConsumers,
    };
  }
  const publisher = new KafkaPublisher(kafka, { logger: options.logger });
  const relay = new OutboxRelay({
    databaseUrl: options.databaseUrl,
    publisher,
    logger: options.logger,
    observer: relayMetricsObserver(metrics, options.serviceName),
    batchSize: settings.OUTBOX_BATCH_MAX_ROWS,
    batchMaxBytes: settings.OUTBOX_BATCH_MAX_BYTES,
    pollIntervalMs: settings.OUTBOX_POLL_INTERVAL_MS,
    retentionMs: settings.OUTBOX_RETENTION_MS,
    stallWindowMs: settings.OUTBOX_STALL_WINDOW_MS,
    maxAttempts: settings.OUTBOX_MAX_ATTEMPTS,
    leaderTakeoverMs: settings.OUTBOX_LEADER_TAKEOVER_MS,
  });
  relay.start();
  // Its own producer: samples never queue behind, or hold up, the relay's batches.
  const statusPublisher = new KafkaPublisher(kafka);
  const outboxStatus = new OutboxStatusReporter({
    serviceName: options.serviceName,
    databaseUrl: options.databaseUrl,
    codec,
    publisher: statusPublisher,
    topicPrefix: settings.TOPIC_PREFIX,
    intervalMs: settings.OUTBOX_STATUS_INTERVAL_MS ?? 5_000,
    logger: options.logger,
  });
  outboxStatus.start();
  return {
    kafka,
    codec,
    topicPrefix: settings.TOPIC_PREFIX,
    consume,
    readiness: () => ({ consumers: consumersRunning, outboxRelay: { check: () => relay.checkRunning() } }),
    stopConsumers,
    stop: async () => {
      await stopConsumers();
      await outboxStatus.stop();
      await relay.stop();
      await Promise.all([publisher.close(), statusPublisher.close()]);
    },
  };
}

/** The order an event is about, for its log lines: most of the system's events are an order's. */
function orderOf(event: { payload: unknown }): Record<string, string> {
  const { orderId } = event.payload as { orderId?: unknown };
  return typeof orderId === 'string' ? { orderId } : {};
}

/**
 * Logs what `ensureTopics` changed or refused to change: a raised retention once, a topic kept
 * longer than the setting at every start (the setting says one thing, the broker does another).
 */
function reportRetention(logger: RelayLogger, topics: readonly TopicRetention[], setting: string): void {
  for (const { topic, action, retentionMs, previousRetentionMs } of topics) {
    if (action === 'raised') {
      logger.info({ topic, retentionMs, previousRetentionMs }, `topic retention raised to ${setting}`);
    } else if (action === 'kept-longer') {
      logger.warn(
        { topic, retentionMs, setting },
        `topic keeps events longer than ${setting}; left as it is (a service never shortens a topic's retention)`,
      );
    }
  }
}
