import { connectionSettings, type MessagingSettings } from './connection-settings';
import { createKafka, KafkaHealth } from './kafka-client';
import { checkSchemaRegistry } from './schema-registry';

/** Kafka and the schema registry as readiness-checked, closable dependencies of a service. */
export function messagingDependencies(clientId: string, settings: MessagingSettings) {
  const connections = connectionSettings(clientId, settings);
  const kafka = new KafkaHealth(createKafka(connections.kafka));
  return {
    kafka: { check: () => kafka.check(), close: () => kafka.close() },
    schemaRegistry: { check: () => checkSchemaRegistry(connections.schemaRegistry) },
  };
}
