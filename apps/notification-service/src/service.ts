import { defineService, prismaDatabase } from '@ecommerce/runtime';

import { createNotificationChannel } from './channels/notification-channel';
import { loadNotificationServiceConfig, SERVICE_NAME } from './config';
import { orderEventHandlers } from './consumers/order-events.consumer';
import { PrismaClient } from './generated/prisma/client';
import { notificationRoutes } from './routes/notifications.routes';

/**
 * notification-service: tells the customer what happened to their order (received, confirmed,
 * cancelled), once per order and template, by e-mail through SMTP_URL or, without it, logged.
 */
export const notificationService = defineService({
  name: SERVICE_NAME,
  description: 'Customer notifications: one per order and template, by e-mail or logged.',
  loadConfig: loadNotificationServiceConfig,
  database: prismaDatabase(PrismaClient, 'NOTIFICATION_DATABASE_URL'),
  publishesEvents: true,
  parts: ({ config, logger }) => {
    const channel = createNotificationChannel({
      smtpUrl: config.SMTP_URL,
      smtpTimeoutMs: config.SMTP_TIMEOUT_MS,
      from: config.MAIL_FROM,
      logger,
    });
    return { channel, close: () => channel.close() };
  },
  consumers: [
    {
      group: SERVICE_NAME,
      topics: ['orders'],
      handlers: ({ config, events, logger, parts }) =>
        orderEventHandlers({
          events,
          channel: parts.channel,
          customerMailDomain: config.CUSTOMER_MAIL_DOMAIN,
          logger,
        }),
    },
  ],
  routes: (app, { db }) => notificationRoutes(app, db),
});
