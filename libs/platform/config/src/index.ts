export { ConfigError, loadConfig } from './load-config';
export {
  databaseUrlSetting,
  httpSettings,
  kafkaConsumerSettings,
  kafkaSettings,
  schemaRegistrySettings,
  serviceSettings,
  telemetrySettings,
  topicSettings,
} from './settings';
