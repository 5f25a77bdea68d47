import { databaseDependency } from '@ecommerce/database';
import { messagingDependencies } from '@ecommerce/messaging';
import { createHttpServer, type HttpServer } from '@ecommerce/service-runtime';
import type { FastifyBaseLogger } from 'fastify';

import { SERVICE_NAME, type AnalyticsServiceConfig } from './config';
import type { PrismaClient } from './generated/prisma/client';

export interface AnalyticsServiceDependencies {
  config: AnalyticsServiceConfig;
  logger: FastifyBaseLogger;
  prisma: PrismaClient;
}

/** The HTTP application, built from its dependencies so tests can build it without `main.ts`. */
export function buildAnalyticsServiceApp({
  config,
  logger,
  prisma,
}: AnalyticsServiceDependencies): Promise<HttpServer> {
  return createHttpServer({
    serviceName: SERVICE_NAME,
    logger,
    dependencies: {
      database: databaseDependency(prisma),
      ...messagingDependencies(SERVICE_NAME, config),
    },
  });
}
