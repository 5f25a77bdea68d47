export { ConfigError, loadConfig } from './load-config';
export {
  databaseSettings,
  databaseUrlSetting,
  httpSettings,
  inboxSettings,
  kafkaSettings,
  operationsSettings,
  schemaRegistrySettings,
  serviceSettings,
  telemetrySettings,
  topicSettings,
} from './settings';
