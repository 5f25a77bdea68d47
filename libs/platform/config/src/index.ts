export { ConfigError, loadConfig } from './load-config';
export {
  databaseUrlSetting,
  httpSettings,
  kafkaSettings,
  operationsSettings,
  schemaRegistrySettings,
  serviceSettings,
  telemetrySettings,
  topicSettings,
} from './settings';
