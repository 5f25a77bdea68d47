import { databaseDependency } from '@ecommerce/database';
import type { EventBackbone } from '@ecommerce/event-backbone';
import { messagingDependencies, registerDeadLetterAdminRoutes } from '@ecommerce/messaging';
import { createHttpServer, type HttpServer, type ServiceDependency } from '@ecommerce/service-runtime';
import type { FastifyBaseLogger } from 'fastify';

import { SERVICE_NAME, type AnalyticsServiceConfig } from './config';
import type { PrismaClient } from './generated/prisma/client';
import { projectionRebuilder, type ProjectionConsumer } from './rebuild/rebuild-projections';
import { registerAnalyticsRoutes } from './routes/analytics.routes';
import { registerProjectionsAdminRoutes } from './routes/projections-admin.routes';

export interface AnalyticsServiceDependencies {
  /**
   * Readiness of what runs beside the HTTP server (the event backbone\'s consumers and relay, from
   * `backbone.readiness()`); a test that builds the app alone leaves it out.
   */
  readiness?: Record<string, ServiceDependency>;
  config: AnalyticsServiceConfig;
  logger: FastifyBaseLogger;
  prisma: PrismaClient;
  /** The started event backbone: the rebuild moves the consumer group's offsets through it. */
  backbone: Pick<EventBackbone, 'kafka' | 'topicPrefix'>;
  /** This instance's projection consumer, which a rebuild stops and starts again. */
  projections: ProjectionConsumer;
}

/** The HTTP application, built from its dependencies so tests can build it without `main.ts`. */
export async function buildAnalyticsServiceApp({
  config,
  logger,
  prisma,
  backbone,
  projections,
  readiness = {},
}: AnalyticsServiceDependencies): Promise<HttpServer> {
  const app = await createHttpServer({
    serviceName: SERVICE_NAME,
    logger,
    dependencies: {
      database: databaseDependency(prisma),
      ...messagingDependencies(SERVICE_NAME, config),
      ...readiness,
    },
    apiVersion: '1.0.0',
    apiDescription: 'Read models of the orders, built only from events: summary, top products, sales.',
    adminToken: config.ADMIN_TOKEN,
  });
  registerAnalyticsRoutes(app, { db: prisma });
  registerDeadLetterAdminRoutes(app, {
    serviceName: SERVICE_NAME,
    settings: config,
    consumerGroups: [projections.group],
  });
  registerProjectionsAdminRoutes(app, projectionRebuilder({ db: prisma, backbone, projections }));
  return app;
}
