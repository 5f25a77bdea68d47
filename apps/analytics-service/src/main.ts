// Must stay the first import: see instrumentation.ts.
import { telemetry } from './instrumentation';

import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone } from '@ecommerce/event-backbone';
import { createLogger, runService } from '@ecommerce/service-runtime';

import { buildAnalyticsServiceApp } from './app';
import { loadAnalyticsServiceConfig, SERVICE_NAME } from './config';
import { orderEventHandlers, projectedTopics } from './consumers/order-events.consumer';
import { PrismaClient } from './generated/prisma/client';
import type { ProjectionConsumer } from './rebuild/rebuild-projections';

// Composition root: configuration, clients, entry points (HTTP, order events), graceful shutdown.
// Analytics publishes nothing, so it has no outbox relay. Its consumer group is the service's name;
// `POST /admin/projections/rebuild` (or `npx tsx apps/analytics-service/src/rebuild/cli.ts`) rebuilds
// the read models.
async function main(): Promise<void> {
  const config = loadAnalyticsServiceConfig();
  const logger = createLogger(SERVICE_NAME, config.LOG_LEVEL);
  const prisma = createPrismaClient(PrismaClient, config.ANALYTICS_DATABASE_URL, config);
  const backbone = await startEventBackbone({
    serviceName: SERVICE_NAME,
    settings: config,
    databaseUrl: config.ANALYTICS_DATABASE_URL,
    logger,
    publishesEvents: false,
  });
  const projections: ProjectionConsumer = {
    group: SERVICE_NAME,
    start: () =>
      backbone.consume({
        groupId: SERVICE_NAME,
        topics: projectedTopics,
        handlers: orderEventHandlers({ logger }),
        runInTransaction: (work) => prisma.$transaction(work),
        logger,
      }),
    // The projections are all this backbone runs (no outbox relay): stopping it stops them.
    stop: () => backbone.stop(),
  };
  await projections.start();
  const app = await buildAnalyticsServiceApp({
    config,
    logger,
    prisma,
    readiness: backbone.readiness(),
    backbone,
    projections,
  });
  app.addHook('onClose', async () => {
    await backbone.stop();
    await telemetry?.shutdown();
  });
  await runService(app, { port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  // Configuration errors and failed start-ups end here: one readable line, then a non-zero exit.
  console.error(`${SERVICE_NAME} failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
