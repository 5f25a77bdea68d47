import { databaseDependency } from '@ecommerce/database';
import { messagingDependencies, registerDeadLetterAdminRoutes } from '@ecommerce/messaging';
import { registerOutboxQuarantineAdminRoutes } from '@ecommerce/outbox';
import { createHttpServer, type HttpServer, type ServiceDependency } from '@ecommerce/service-runtime';
import type { FastifyBaseLogger } from 'fastify';

import { SERVICE_NAME, type NotificationServiceConfig } from './config';
import type { PrismaClient } from './generated/prisma/client';
import { notificationRoutes } from './routes/notifications.routes';

export interface NotificationServiceDependencies {
  /**
   * Readiness of what runs beside the HTTP server (the event backbone\'s consumers and relay, from
   * `backbone.readiness()`); a test that builds the app alone leaves it out.
   */
  readiness?: Record<string, ServiceDependency>;
  config: NotificationServiceConfig;
  logger: FastifyBaseLogger;
  prisma: PrismaClient;
}

/** The HTTP application, built from its dependencies so tests can build it without `main.ts`. */
export async function buildNotificationServiceApp({
  config,
  logger,
  prisma,
  readiness = {},
}: NotificationServiceDependencies): Promise<HttpServer> {
  const app = await createHttpServer({
    serviceName: SERVICE_NAME,
    logger,
    dependencies: {
      database: databaseDependency(prisma),
      ...messagingDependencies(SERVICE_NAME, config),
      ...readiness,
    },
    apiDescription: 'Customer notifications: one per order and template, by e-mail or logged.',
    adminToken: config.ADMIN_TOKEN,
  });
  notificationRoutes(app, prisma);
  registerDeadLetterAdminRoutes(app, {
    serviceName: SERVICE_NAME,
    settings: config,
    consumerGroups: [SERVICE_NAME],
  });
  registerOutboxQuarantineAdminRoutes(app, { db: prisma });
  return app;
}
