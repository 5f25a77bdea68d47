import type { Kafka } from 'kafkajs';

import { connectionSettings, type MessagingSettings } from './connection-settings';
import { createKafka, KafkaHealth } from './kafka-client';
import { checkSchemaRegistry } from './schema-registry';

/**
 * Kafka and the schema registry as readiness-checked, closable dependencies of a service. The Kafka
 * check runs on `client` when given (a service's own client), on a client of its own otherwise.
 */
export function messagingDependencies(clientId: string, settings: MessagingSettings, client?: Kafka) {
  const connections = connectionSettings(clientId, settings);
  const kafka = new KafkaHealth(client ?? createKafka(connections.kafka));
  return {
    kafka: { check: () => kafka.check(), close: () => kafka.close() },
    schemaRegistry: { check: () => checkSchemaRegistry(connections.schemaRegistry) },
  };
}
