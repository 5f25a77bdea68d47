import { databaseDependency } from '@ecommerce/database';
import { messagingDependencies, registerDeadLetterAdminRoutes } from '@ecommerce/messaging';
import { registerOutboxQuarantineAdminRoutes } from '@ecommerce/outbox';
import { createHttpServer, type HttpServer, type ServiceDependency } from '@ecommerce/service-runtime';
import type { FastifyBaseLogger } from 'fastify';

import { SERVICE_NAME, type PaymentServiceConfig } from './config';
import type { PrismaClient } from './generated/prisma/client';
import { registerPaymentRoutes } from './routes/payments.routes';

export interface PaymentServiceDependencies {
  /**
   * Readiness of what runs beside the HTTP server (the event backbone\'s consumers and relay, from
   * `backbone.readiness()`); a test that builds the app alone leaves it out.
   */
  readiness?: Record<string, ServiceDependency>;
  config: PaymentServiceConfig;
  logger: FastifyBaseLogger;
  prisma: PrismaClient;
}

/** The HTTP application, built from its dependencies so tests can build it without `main.ts`. */
export async function buildPaymentServiceApp({
  config,
  logger,
  prisma,
  readiness = {},
}: PaymentServiceDependencies): Promise<HttpServer> {
  const app = await createHttpServer({
    serviceName: SERVICE_NAME,
    logger,
    dependencies: {
      database: databaseDependency(prisma),
      ...messagingDependencies(SERVICE_NAME, config),
      ...readiness,
    },
    apiVersion: '1.0.0',
    apiDescription: 'Payments of orders, authorized by a simulated, deterministic payment gateway.',
    adminToken: config.ADMIN_TOKEN,
  });
  registerPaymentRoutes(app, prisma);
  // The groups start-payment-consumers.ts runs: orders', and inventory's.
  registerDeadLetterAdminRoutes(app, {
    serviceName: SERVICE_NAME,
    settings: config,
    consumerGroups: [SERVICE_NAME, `${SERVICE_NAME}.inventory`],
  });
  registerOutboxQuarantineAdminRoutes(app, { db: prisma });
  return app;
}
