import { allTopics, EventCodec } from '@ecommerce/contracts';
import { createKafka, ensureTopics, KafkaPublisher, parseBrokers } from '@ecommerce/messaging';
import { OutboxRelay, relayMetricsObserver, type RelayLogger } from '@ecommerce/outbox';
import { metrics } from '@ecommerce/telemetry';
import type { Kafka } from 'kafkajs';

/** The messaging settings every service reads (see `serviceSettings` in @ecommerce/config). */
export interface EventBackboneSettings {
  KAFKA_BROKERS: string;
  SCHEMA_REGISTRY_URL: string;
  TOPIC_PREFIX: string;
  KAFKA_TOPIC_PARTITIONS: number;
  KAFKA_REPLICATION_FACTOR: number;
}

export interface EventBackbone {
  kafka: Kafka;
  codec: EventCodec;
  topicPrefix: string;
  /** Stops the relay (finishing its batch) and disconnects. */
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
  const kafka = createKafka({ clientId: options.serviceName, brokers: parseBrokers(settings.KAFKA_BROKERS) });
  const codec = new EventCodec({
    registryUrl: settings.SCHEMA_REGISTRY_URL,
    topicPrefix: settings.TOPIC_PREFIX,
  });
  await codec.registerSchemas();
  await ensureTopics(kafka, allTopics(settings.TOPIC_PREFIX), {
    partitions: settings.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: settings.KAFKA_REPLICATION_FACTOR,
  });

  if (!options.publishesEvents) {
    return { kafka, codec, topicPrefix: settings.TOPIC_PREFIX, stop: async () => undefined };
  }
  const publisher = new KafkaPublisher(kafka);
  const relay = new OutboxRelay({
    databaseUrl: options.databaseUrl,
    publisher,
    logger: options.logger,
    observer: relayMetricsObserver(metrics, options.serviceName),
  });
  relay.start();
  return {
    kafka,
    codec,
    topicPrefix: settings.TOPIC_PREFIX,
    stop: async () => {
      await relay.stop();
      await publisher.close();
    },
  };
}
