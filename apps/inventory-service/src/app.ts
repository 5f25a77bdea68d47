import { databaseDependency } from '@ecommerce/database';
import { messagingDependencies, registerDeadLetterAdminRoutes } from '@ecommerce/messaging';
import { registerOutboxQuarantineAdminRoutes } from '@ecommerce/outbox';
import { createHttpServer, type HttpServer, type ServiceDependency } from '@ecommerce/service-runtime';
import type { FastifyBaseLogger } from 'fastify';

import type { EventOutbox } from '@ecommerce/event-backbone';
import { SERVICE_NAME, type InventoryServiceConfig } from './config';
import type { PrismaClient } from './generated/prisma/client';
import { registerProductRoutes } from './routes/products.routes';

export interface InventoryServiceDependencies {
  /**
   * Readiness of what runs beside the HTTP server (the event backbone\'s consumers and relay, from
   * `backbone.readiness()`); a test that builds the app alone leaves it out.
   */
  readiness?: Record<string, ServiceDependency>;
  config: InventoryServiceConfig;
  logger: FastifyBaseLogger;
  prisma: PrismaClient;
  /** Where the use cases record events (the started event backbone). */
  backbone: EventOutbox;
}

/** The HTTP application, built from its dependencies so tests can build it without `main.ts`. */
export async function buildInventoryServiceApp({
  config,
  logger,
  prisma,
  backbone,
  readiness = {},
}: InventoryServiceDependencies): Promise<HttpServer> {
  const app = await createHttpServer({
    serviceName: SERVICE_NAME,
    logger,
    dependencies: {
      database: databaseDependency(prisma),
      ...messagingDependencies(SERVICE_NAME, config),
      ...readiness,
    },
    apiVersion: '1.0.0',
    apiDescription: 'The product catalog and its stock (on hand, reserved, available).',
    adminToken: config.ADMIN_TOKEN,
  });
  registerProductRoutes(app, { db: prisma, events: backbone });
  registerDeadLetterAdminRoutes(app, {
    serviceName: SERVICE_NAME,
    settings: config,
    consumerGroups: [SERVICE_NAME],
  });
  registerOutboxQuarantineAdminRoutes(app, { db: prisma });
  return app;
}
