// Must stay the first import: see instrumentation.ts.
import { telemetry } from './instrumentation';

import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone } from '@ecommerce/event-backbone';
import { createLogger, runService } from '@ecommerce/service-runtime';
import { metrics } from '@ecommerce/telemetry';

import { buildOrderServiceApp } from './app';
import { startSagaTimeoutSweeper } from './application/saga-timeout';
import { loadOrderServiceConfig, SERVICE_NAME } from './config';
import { startOrderConsumers } from './consumers/start-order-consumers';
import { PrismaClient } from './generated/prisma/client';

// Composition root: configuration, clients, entry points (HTTP, saga and catalog events, the saga
// timeout, outbox relay), graceful shutdown.
async function main(): Promise<void> {
  const config = loadOrderServiceConfig();
  const logger = createLogger(SERVICE_NAME, config.LOG_LEVEL);
  const prisma = createPrismaClient(PrismaClient, config.ORDER_DATABASE_URL, config);
  const backbone = await startEventBackbone({
    serviceName: SERVICE_NAME,
    settings: config,
    databaseUrl: config.ORDER_DATABASE_URL,
    logger,
    publishesEvents: true,
  });
  const app = await buildOrderServiceApp({
    config,
    logger,
    prisma,
    readiness: backbone.readiness(),
    backbone,
    metrics,
  });
  await startOrderConsumers({
    backbone,
    metrics,
    runInTransaction: (work) => prisma.$transaction(work),
    logger,
  });
  const sweeper = startSagaTimeoutSweeper(
    { db: prisma, events: backbone, metrics, logger },
    config.SAGA_TIMEOUT_MS,
    { batchSize: 50, transactionTimeoutMs: config.DATABASE_TRANSACTION_TIMEOUT_MS },
  );
  app.addHook('onClose', async () => {
    await sweeper.stop();
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
