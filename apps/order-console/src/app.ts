import { messagingDependencies } from '@ecommerce/messaging';
import { createHttpServer, type HttpServer, type ServiceDependency } from '@ecommerce/http-server';
import type { FastifyBaseLogger } from 'fastify';

import { SERVICE_NAME, type OrderConsoleConfig } from './config';
import type { ConsoleViews } from './console-views';
import type { LiveUpdates } from './live/live-updates';
import type { OrderServiceClient } from './order-service-client';
import type { ClusterMonitor } from './projection/cluster-monitor';
import type { OrderConsoleProjection } from './projection/order-console-projection';
import { registerConsoleApiRoutes } from './routes/api.routes';
import { registerAsyncApiRoutes } from './routes/asyncapi.routes';
import { registerConsoleRoutes } from './routes/console.routes';

export interface OrderConsoleDependencies {
  config: OrderConsoleConfig;
  logger: FastifyBaseLogger;
  projection: OrderConsoleProjection;
  cluster: ClusterMonitor;
  views: ConsoleViews;
  live: LiveUpdates;
  orders: OrderServiceClient;
  /** Readiness of what runs beside the HTTP server (the event feed); a test may leave it out. */
  readiness?: Record<string, ServiceDependency>;
}

/** The console's HTTP application, built from its dependencies so tests can build it without `main.ts`. */
export async function buildOrderConsoleApp(deps: OrderConsoleDependencies): Promise<HttpServer> {
  const app = await createHttpServer({
    serviceName: SERVICE_NAME,
    logger: deps.logger,
    dependencies: { ...messagingDependencies(SERVICE_NAME, deps.config), ...deps.readiness },
    apiVersion: '1.0.0',
    apiDescription:
      'The order console: orders moving through the saga, consumer lag, dead letters and outbox backlogs, built from events.',
  });
  registerConsoleRoutes(app, deps);
  registerConsoleApiRoutes(app, deps);
  registerAsyncApiRoutes(app, { topicPrefix: deps.config.TOPIC_PREFIX });
  return app;
}
