export { ConfigError, loadConfig } from './load-config';
export {
  databaseUrlSetting,
  httpSettings,
  kafkaSettings,
  schemaRegistrySettings,
  serviceSettings,
  telemetrySettings,
  topicSettings,
} from './settings';
