import { createKafka, KafkaHealth, parseBrokers } from './kafka-client';
import { checkSchemaRegistry } from './schema-registry';

/** Kafka and the schema registry as readiness-checked, closable dependencies of a service. */
export function messagingDependencies(settings: {
  clientId: string;
  brokers: string;
  schemaRegistryUrl: string;
}) {
  const kafka = new KafkaHealth(
    createKafka({ clientId: settings.clientId, brokers: parseBrokers(settings.brokers) }),
  );
  return {
    kafka: { check: () => kafka.check(), close: () => kafka.close() },
    schemaRegistry: { check: () => checkSchemaRegistry({ url: settings.schemaRegistryUrl }) },
  };
}
