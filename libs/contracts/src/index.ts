export * from './generated/event-types';
export {
  allTopics,
  DEFAULT_TOPIC_PREFIX,
  keyOf,
  subjectFor,
  topicFor,
  topicKeyFields,
  topicKeys,
  topicName,
  type TopicKey,
  type TypedEvent,
} from './topics';
export { eventSchema, schemaVersions } from './event-schemas';
export type { AvroRecordJson } from './avro-schema-json';
export { EventCodec, type DecodedEvent, type EventCodecOptions } from './codec/event-codec';
export {
  createSchemaRegistry,
  REGISTRY_REQUEST_TIMEOUT_MS,
  type SchemaRegistrySettings,
} from './codec/schema-registry-client';
export {
  ContractViolationError,
  MalformedEventError,
  SchemaRegistrationError,
  SchemaRegistryUnreachableError,
  type MalformedEventCode,
  type PayloadIssue,
  type SchemaRegistrationCode,
} from './errors';
