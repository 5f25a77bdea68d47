import { loadConfig, serviceSettings } from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

export const SERVICE_NAME = 'notification-service';

/** Every setting notification-service reads, with its default; `process.env` is read here and nowhere else. */
export const notificationServiceConfigSchema = Type.Object({
  ...serviceSettings({
    defaultPort: 3004,
    databaseUrlVariable: 'NOTIFICATION_DATABASE_URL',
    defaultDatabase: 'ecommerce_notification',
  }),
});

export type NotificationServiceConfig = Static<typeof notificationServiceConfigSchema>;

export function loadNotificationServiceConfig(
  env: NodeJS.ProcessEnv = process.env,
): NotificationServiceConfig {
  return loadConfig(notificationServiceConfigSchema, env);
}
