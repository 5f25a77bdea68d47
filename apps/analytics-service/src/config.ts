import { loadConfig, serviceSettings } from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

export const SERVICE_NAME = 'analytics-service';

/** Every setting analytics-service reads, with its default; `process.env` is read here and nowhere else. */
export const analyticsServiceConfigSchema = Type.Object({
  ...serviceSettings({
    defaultPort: 3005,
    databaseUrlVariable: 'ANALYTICS_DATABASE_URL',
    defaultDatabase: 'ecommerce_analytics',
  }),
});

export type AnalyticsServiceConfig = Static<typeof analyticsServiceConfigSchema>;

export function loadAnalyticsServiceConfig(env: NodeJS.ProcessEnv = process.env): AnalyticsServiceConfig {
  return loadConfig(analyticsServiceConfigSchema, env);
}
