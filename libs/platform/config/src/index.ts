export { ConfigError, loadConfig } from './load-config';
export {
  databaseSettings,
  databaseUrlSetting,
  httpSettings,
  kafkaSettings,
  schemaRegistrySettings,
  serviceSettings,
  telemetrySettings,
  topicSettings,
} from './settings';
