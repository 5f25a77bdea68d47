import { databaseUrlSetting, httpSettings, kafkaSettings, loadConfig, schemaRegistrySettings } from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

/** Every setting order-service reads, with its default; `process.env` is read here and nowhere else. */
export const orderServiceConfigSchema = Type.Object({
  ...httpSettings(3001),
  ...kafkaSettings,
  ...schemaRegistrySettings,
  ...databaseUrlSetting('ORDER_DATABASE_URL', 'ecommerce_order'),
});

export type OrderServiceConfig = Static<typeof orderServiceConfigSchema>;

export function loadOrderServiceConfig(env: NodeJS.ProcessEnv = process.env): OrderServiceConfig {
  return loadConfig(orderServiceConfigSchema, env);
}
