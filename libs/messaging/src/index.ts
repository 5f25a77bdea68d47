export { createKafka, KafkaHealth, parseBrokers, type KafkaConnectionSettings } from './kafka-client';
export { checkSchemaRegistry, createSchemaRegistry, type SchemaRegistrySettings } from './schema-registry';
export { messagingDependencies } from './messaging-dependencies';
