import { databaseDependency } from '@ecommerce/database';
import { messagingDependencies } from '@ecommerce/messaging';
import { createHttpServer } from '@ecommerce/service-runtime';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

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
}: AnalyticsServiceDependencies): FastifyInstance {
  return createHttpServer({
    serviceName: SERVICE_NAME,
    logger,
    dependencies: {
      database: databaseDependency(prisma),
      ...messagingDependencies(SERVICE_NAME, config),
    },
  });
}
