import { databaseDependency } from '@ecommerce/database';
import { messagingDependencies } from '@ecommerce/messaging';
import { createHttpServer, type HttpServer } from '@ecommerce/service-runtime';
import type { FastifyBaseLogger } from 'fastify';

import { SERVICE_NAME, type NotificationServiceConfig } from './config';
import type { PrismaClient } from './generated/prisma/client';

export interface NotificationServiceDependencies {
  config: NotificationServiceConfig;
  logger: FastifyBaseLogger;
  prisma: PrismaClient;
}

/** The HTTP application, built from its dependencies so tests can build it without `main.ts`. */
export function buildNotificationServiceApp({
  config,
  logger,
  prisma,
}: NotificationServiceDependencies): Promise<HttpServer> {
  return createHttpServer({
    serviceName: SERVICE_NAME,
    logger,
    dependencies: {
      database: databaseDependency(prisma),
      ...messagingDependencies(SERVICE_NAME, config),
    },
  });
}
