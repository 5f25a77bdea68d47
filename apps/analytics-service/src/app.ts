import { databaseDependency } from '@ecommerce/database';
import { messagingDependencies } from '@ecommerce/messaging';
import { createHttpServer, type HttpServer } from '@ecommerce/service-runtime';
import type { FastifyBaseLogger } from 'fastify';

import { SERVICE_NAME, type AnalyticsServiceConfig } from './config';
import type { PrismaClient } from './generated/prisma/client';
import { registerAnalyticsRoutes } from './routes/analytics.routes';

export interface AnalyticsServiceDependencies {
  config: AnalyticsServiceConfig;
  logger: FastifyBaseLogger;
  prisma: PrismaClient;
}

/** The HTTP application, built from its dependencies so tests can build it without `main.ts`. */
export async function buildAnalyticsServiceApp({
  config,
  logger,
  prisma,
}: AnalyticsServiceDependencies): Promise<HttpServer> {
  const app = await createHttpServer({
    serviceName: SERVICE_NAME,
    logger,
    dependencies: {
      database: databaseDependency(prisma),
      ...messagingDependencies(SERVICE_NAME, config),
    },
    apiVersion: '1.0.0',
    apiDescription: 'Read models of the orders, built only from events: summary, top products, sales.',
  });
  registerAnalyticsRoutes(app, { db: prisma });
  return app;
}
