// Test support for code built on the messaging library (`@ecommerce/messaging/testing`): never
// imported by production code, which the module-boundary rule enforces through the test harness.
export { createTestMessaging, type TestEvent, type TestMessaging } from './test-messaging';
export {
  createRawKafka,
  startRawTopicReader,
  subscribedTopicsOf,
  type RawBatch,
  type RawMessage,
  type RawTopicReader,
  type RawTopicReaderOptions,
} from './raw-kafka';
