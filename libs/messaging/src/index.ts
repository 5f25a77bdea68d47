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
} from './event-consumer';
export { errorCode, isRetriable, PermanentFailure } from './failure';
export { claimInboxEntry } from './inbox';
export { createKafka, KafkaHealth, parseBrokers, type KafkaConnectionSettings } from './kafka-client';
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
export { ensureTopics, type TopicSettings } from './topics';
export { isRetriableKafkaError, untilClusterSettles } from './cluster-settling';
export { consumerMetricsObserver } from './consumer-metrics';
export { connectionSettings, type MessagingSettings } from './connection-settings';
