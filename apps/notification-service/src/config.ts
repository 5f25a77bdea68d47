import { loadConfig, outboxRelaySettings, serviceSettings } from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

export const SERVICE_NAME = 'notification-service';

/** Every setting notification-service reads, with its default; `process.env` is read here and nowhere else. */
export const notificationServiceConfigSchema = Type.Object({
  ...serviceSettings({
    defaultPort: 3004,
    databaseUrlVariable: 'NOTIFICATION_DATABASE_URL',
    defaultDatabase: 'ecommerce_notification',
  }),
  ...outboxRelaySettings,
  SMTP_URL: Type.Optional(
    Type.String({
      pattern: '^smtps?://',
      description:
        'SMTP server for customer mail, e.g. smtp://127.0.0.1:1025 (Mailpit); unset: notifications are logged',
    }),
  ),
  SMTP_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 30_000,
    description:
      'longest wait for the SMTP server to connect, greet or answer a command; then the send fails and is retried',
  }),
  MAIL_FROM: Type.String({
    minLength: 3,
    default: 'orders@shop.example',
    description: 'sender of customer mail',
  }),
  CUSTOMER_MAIL_DOMAIN: Type.String({
    pattern: '^[a-z0-9.-]+$',
    default: 'customers.example',
    description: 'customers have ids, not addresses: mail goes to <customerId>@<this domain>',
  }),
});

export type NotificationServiceConfig = Static<typeof notificationServiceConfigSchema>;

export function loadNotificationServiceConfig(
  env: NodeJS.ProcessEnv = process.env,
): NotificationServiceConfig {
  return loadConfig(notificationServiceConfigSchema, env);
}
