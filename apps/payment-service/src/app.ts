import { databaseDependency } from '@ecommerce/database';
import { messagingDependencies } from '@ecommerce/messaging';
import { createHttpServer } from '@ecommerce/service-runtime';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

import { SERVICE_NAME, type PaymentServiceConfig } from './config';
import type { PrismaClient } from './generated/prisma/client';

export interface PaymentServiceDependencies {
  config: PaymentServiceConfig;
  logger: FastifyBaseLogger;
  prisma: PrismaClient;
}

/** The HTTP application, built from its dependencies so tests can build it without `main.ts`. */
export function buildPaymentServiceApp({
  config,
  logger,
  prisma,
}: PaymentServiceDependencies): FastifyInstance {
  return createHttpServer({
    serviceName: SERVICE_NAME,
    logger,
    dependencies: {
      database: databaseDependency(prisma),
      ...messagingDependencies(SERVICE_NAME, config),
    },
  });
}
