import { databaseUrlSetting, httpSettings, kafkaSettings, loadConfig, schemaRegistrySettings } from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

/** Every setting analytics-service reads, with its default; `process.env` is read here and nowhere else. */
export const analyticsServiceConfigSchema = Type.Object({
  ...httpSettings(3005),
  ...kafkaSettings,
  ...schemaRegistrySettings,
  ...databaseUrlSetting('ANALYTICS_DATABASE_URL', 'ecommerce_analytics'),
});

export type AnalyticsServiceConfig = Static<typeof analyticsServiceConfigSchema>;

export function loadAnalyticsServiceConfig(env: NodeJS.ProcessEnv = process.env): AnalyticsServiceConfig {
  return loadConfig(analyticsServiceConfigSchema, env);
}
