import { databaseUrlSetting, httpSettings, kafkaSettings, loadConfig, schemaRegistrySettings } from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

/** Every setting notification-service reads, with its default; `process.env` is read here and nowhere else. */
export const notificationServiceConfigSchema = Type.Object({
  ...httpSettings(3004),
  ...kafkaSettings,
  ...schemaRegistrySettings,
  ...databaseUrlSetting('NOTIFICATION_DATABASE_URL', 'ecommerce_notification'),
});

export type NotificationServiceConfig = Static<typeof notificationServiceConfigSchema>;

export function loadNotificationServiceConfig(env: NodeJS.ProcessEnv = process.env): NotificationServiceConfig {
  return loadConfig(notificationServiceConfigSchema, env);
}
