import { databaseDependency } from '@ecommerce/database';
import type { EventOutbox } from '@ecommerce/event-backbone';
import { messagingDependencies, registerDeadLetterAdminRoutes } from '@ecommerce/messaging';
import { registerOutboxQuarantineAdminRoutes } from '@ecommerce/outbox';
import { createHttpServer, type HttpServer, type ServiceDependency } from '@ecommerce/service-runtime';
import type { FastifyBaseLogger } from 'fastify';

import type { SagaMetrics } from './application/saga-transition';
import { SERVICE_NAME, type OrderServiceConfig } from './config';
import type { PrismaClient } from './generated/prisma/client';
import { registerOrderRoutes } from './routes/orders.routes';

export interface OrderServiceDependencies {
  /**
   * Readiness of what runs beside the HTTP server (the event backbone\'s consumers and relay, from
   * `backbone.readiness()`); a test that builds the app alone leaves it out.
   */
  readiness?: Record<string, ServiceDependency>;
  config: OrderServiceConfig;
  logger: FastifyBaseLogger;
  prisma: PrismaClient;
  /** Where the use cases record events (the started event backbone). */
  backbone: EventOutbox;
  /** Where saga outcomes are counted (the process's metrics; a test's own registry). */
  metrics: SagaMetrics;
}

/** The HTTP application, built from its dependencies so tests can build it without `main.ts`. */
export async function buildOrderServiceApp({
  config,
  logger,
  prisma,
  backbone,
  metrics,
  readiness = {},
}: OrderServiceDependencies): Promise<HttpServer> {
  const app = await createHttpServer({
    serviceName: SERVICE_NAME,
    logger,
    dependencies: {
      database: databaseDependency(prisma),
      ...messagingDependencies(SERVICE_NAME, config),
      ...readiness,
    },
    apiVersion: '1.0.0',
    apiDescription: 'Orders, their saga (choreographed over Kafka), and a replica of the catalog’s prices.',
    adminToken: config.ADMIN_TOKEN,
  });
  registerOrderRoutes(app, { db: prisma, events: backbone, metrics });
  // The groups start-order-consumers.ts runs: the saga's and the catalog replica's.
  registerDeadLetterAdminRoutes(app, {
    serviceName: SERVICE_NAME,
    settings: config,
    consumerGroups: [SERVICE_NAME, `${SERVICE_NAME}.catalog`],
  });
  registerOutboxQuarantineAdminRoutes(app, { db: prisma });
  return app;
}
