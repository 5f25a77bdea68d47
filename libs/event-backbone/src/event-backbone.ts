import type { OutboxRelaySettings } from '@ecommerce/config';
import { allTopics, EventCodec, topicName, type EventPayloads, type TopicKey } from '@ecommerce/contracts';
import type { RunInTransaction, SqlExecutor } from '@ecommerce/database';
import {
  consumerGroupId,
  consumerMetricsObserver,
  connectionSettings,
  createKafka,
  createSchemaRegistry,
  deadLetterTopic,
  ensureTopics,
  untilClusterSettles,
  EventConsumer,
  KafkaPublisher,
  type ConsumerLogger,
  type MessagingSettings,
  type EventHandlers,
  type RetryPolicy,
} from '@ecommerce/messaging';
import { OutboxRelay, relayMetricsObserver, type RelayLogger } from '@ecommerce/outbox';
import { metrics } from '@ecommerce/telemetry';
import type { Kafka } from 'kafkajs';

/**
 * The messaging settings every service reads (see `serviceSettings` in @ecommerce/config), and, in a
 * service that publishes, its relay's (`outboxRelaySettings`; each one left out takes its default).
 */
export interface EventBackboneSettings extends MessagingSettings, Partial<OutboxRelaySettings> {
  TOPIC_PREFIX: string;
  KAFKA_TOPIC_PARTITIONS: number;
  KAFKA_REPLICATION_FACTOR: number;
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
}

export interface EventBackbone {
  kafka: Kafka;
  codec: EventCodec;
  topicPrefix: string;
  /**
   * Starts a consumer group on contract events: decoded (and resolved to this service's schema
   * versions) by the codec, applied once per event through the inbox, retried, dead-lettered to
   * `<prefix>dlq.<group>`, measured. The Kafka group is `<prefix><group>`.
   */
  consume<Tx extends SqlExecutor>(options: ConsumeOptions<Tx>): Promise<void>;
  /**
   * Readiness checks of what the backbone runs, in the shape the HTTP server takes as dependencies:
   * `consumers` (every consumer group running) and, in a service that publishes, `outboxRelay`
   * (running, and not stalled: see `OutboxRelay.checkRunning`).
   */
  readiness(): Record<string, { check(): Promise<void> }>;
  /** Stops the consumers (finishing the events in hand), then the relay (finishing its batch). */
  stop(): Promise<void>;
}

/**
 * What a service needs before it serves: its event schemas registered (BACKWARD compatibility),
 * every topic present with the configured partitions and replication factor, and, for a service
 * that publishes, its outbox relay running.
 */
export async function startEventBackbone(options: {
  serviceName: string;
  settings: EventBackboneSettings;
  databaseUrl: string;
  logger: RelayLogger;
  publishesEvents: boolean;
}): Promise<EventBackbone> {
  const { settings } = options;
  const connections = connectionSettings(options.serviceName, settings);
  const kafka = createKafka(connections.kafka);
  const codec = new EventCodec({
    registry: createSchemaRegistry(connections.schemaRegistry),
    topicPrefix: settings.TOPIC_PREFIX,
  });
  // A registry still starting, or a request that timed out, is not a reason to exit: registering is
  // idempotent, so it is tried again like the cluster steps. An incompatible schema (409) is, at once.
  await untilClusterSettles('register the event schemas', () => codec.registerSchemas(), {
    isRetriable: (error) => (error as { code?: unknown }).code !== 'SCHEMA_INCOMPATIBLE',
  });
  await untilClusterSettles('create the topics', () =>
    ensureTopics(kafka, allTopics(settings.TOPIC_PREFIX), {
      partitions: settings.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: settings.KAFKA_REPLICATION_FACTOR,
    }),
  );

  const consumers: { stop(): Promise<void>; checkRunning(): Promise<void> }[] = [];
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
      },
      logger: consumeOptions.logger,
      observer: consumerMetricsObserver(metrics, groupId),
      ...(consumeOptions.retry && { retry: consumeOptions.retry }),
    });
    await consumer.start();
    consumers.push(consumer);
  };
  const stopConsumers = async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
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
  return {
    kafka,
    codec,
    topicPrefix: settings.TOPIC_PREFIX,
    consume,
    readiness: () => ({ consumers: consumersRunning, outboxRelay: { check: () => relay.checkRunning() } }),
    stop: async () => {
      await stopConsumers();
      await relay.stop();
      await publisher.close();
    },
  };
}
