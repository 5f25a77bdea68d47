// Must stay the first import: see instrumentation.ts.
import { telemetry } from './instrumentation';

import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone } from '@ecommerce/event-backbone';
import { createLogger, runService } from '@ecommerce/service-runtime';

import { buildInventoryServiceApp } from './app';
import { loadInventoryServiceConfig, SERVICE_NAME } from './config';
import { orderEventHandlers } from './consumers/order-events.consumer';
import { PrismaClient } from './generated/prisma/client';

// Composition root: configuration, clients, entry points (HTTP, order events, outbox relay),
// graceful shutdown.
async function main(): Promise<void> {
  const config = loadInventoryServiceConfig();
  const logger = createLogger(SERVICE_NAME, config.LOG_LEVEL);
  const prisma = createPrismaClient(PrismaClient, config.INVENTORY_DATABASE_URL, config);
  const backbone = await startEventBackbone({
    serviceName: SERVICE_NAME,
    settings: config,
    databaseUrl: config.INVENTORY_DATABASE_URL,
    logger,
    publishesEvents: true,
  });
  const app = await buildInventoryServiceApp({
    config,
    logger,
    prisma,
    readiness: backbone.readiness(),
    backbone,
  });
  await backbone.consume({
    topics: ['orders'],
    handlers: orderEventHandlers({ events: backbone, logger }),
    runInTransaction: (work) => prisma.$transaction(work),
    logger,
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
