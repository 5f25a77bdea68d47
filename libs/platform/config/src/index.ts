export { ConfigError, loadConfig } from './load-config';
export { databaseUrlSetting, httpSettings, kafkaSettings, schemaRegistrySettings } from './settings';
