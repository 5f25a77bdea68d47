export { ConfigError, loadConfig } from './load-config';
export {
  databaseUrlSetting,
  httpSettings,
  kafkaSettings,
  outboxRelaySettings,
  type OutboxRelaySettings,
  schemaRegistrySettings,
  serviceSettings,
  telemetrySettings,
  topicSettings,
} from './settings';
