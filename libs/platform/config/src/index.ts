export { ConfigError, loadConfig } from './load-config';
export {
  databaseSettings,
  databaseUrlSetting,
  httpSettings,
  inboxSettings,
  kafkaConsumerSettings,
  kafkaSettings,
  operationsSettings,
  outboxRelaySettings,
  type OutboxRelaySettings,
  schemaRegistrySettings,
  serviceSettings,
  telemetrySettings,
  topicSettings,
} from './settings';
