export { ConfigError, loadConfig } from './load-config';
export {
  databaseUrlSetting,
  httpSettings,
  inboxSettings,
  kafkaSettings,
  schemaRegistrySettings,
  serviceSettings,
  telemetrySettings,
  topicSettings,
} from './settings';
