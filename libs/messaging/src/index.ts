export { consumerGroupId } from './consumer-group';
export { deadLetterHeaders, deadLetterTopic, DEAD_LETTER_HEADERS } from './dead-letter';
export { readDeadLetters, type DeadLetter } from './dead-letters/read-dead-letters';
export {
  registerDeadLetterAdminRoutes,
  type DeadLetterAdminOptions,
} from './dead-letters/dead-letter-admin.routes';
export {
  EventConsumer,
  type ConsumedEvent,
  type ConsumerLogger,
  type ConsumerObserver,
  type EventConsumerOptions,
  type EventDecoder,
  type EventHandler,
  type EventHandlers,
  type HandlingOutcome,
  type LockBatch,
} from './event-consumer';
export {
  externalEffectHandler,
  type ExternalEffectHandler,
  type RecordInTransaction,
} from './external-effect-handler';
export { errorCode, isRetriable, PermanentFailure } from './failure';
export { claimInboxEntry, forgetInboxEntriesOf } from './inbox';
export {
  createKafka,
  KafkaHealth,
  parseBrokers,
  type KafkaConnectionSettings,
  type KafkaLogger,
} from './kafka-client';
// The client `createKafka` returns, as a type only: code outside this library holds one and hands it
// back to the functions here, or calls it where a test or tool needs the client as it is.
export type { Kafka } from 'kafkajs';
export { brokerRefusal, KafkaPublisher, MessagesRefusedError, type OutboundMessage } from './kafka-publisher';
export {
  ProducerReconnectPending,
  ReplaceableProducer,
  type ProducerLogger,
  type ReplaceableProducerOptions,
} from './replaceable-producer';
export { messagingDependencies } from './messaging-dependencies';
export { backoffDelayMs, defaultRetryPolicy, type RetryPolicy } from './retry-policy';
export { checkSchemaRegistry, createSchemaRegistry, type SchemaRegistrySettings } from './schema-registry';
export {
  ensureTopics,
  readTopicSetting,
  UNLIMITED_RETENTION_MS,
  type TopicRetention,
  type TopicSettings,
} from './topics';
export { withKafkaAdmin } from './kafka-admin';
export {
  assertInboxOutlivesTopics,
  retentionSettings,
  type Retention,
  type RetentionSettingValues,
} from './retention-settings';
export { deleteExpiredInboxEntries, InboxPruner, type InboxPrunerOptions } from './inbox-pruning';
export { isRetriableKafkaError, untilClusterSettles } from './cluster-settling';
export { consumerMetricsObserver } from './consumer-metrics';
export {
  consumerLiveness,
  defaultConsumerLiveness,
  type ConsumerLiveness,
  type ConsumerLivenessSettings,
} from './consumer-liveness';
export { connectionSettings, type MessagingSettings } from './connection-settings';
export {
  ClusterWatch,
  readConsumerGroupPositions,
  type ConsumerGroupPositions,
  type PartitionPosition,
} from './consumer-group-offsets';
export { EventFeed, type EventFeedOptions, type FedEvent } from './event-feed';
