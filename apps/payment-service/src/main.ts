// Must stay the first import: see instrumentation.ts.
import { telemetry } from './instrumentation';

import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone } from '@ecommerce/event-backbone';
import { createLogger, runService } from '@ecommerce/service-runtime';

import { buildPaymentServiceApp } from './app';
import { loadPaymentServiceConfig, SERVICE_NAME } from './config';
import { startPaymentConsumers } from './consumers/start-payment-consumers';
import { SimulatedPaymentGateway } from './gateway/simulated-payment-gateway';
import { PrismaClient } from './generated/prisma/client';

// Composition root: configuration, clients, entry points (HTTP, consumers, outbox relay), graceful shutdown.
async function main(): Promise<void> {
  const config = loadPaymentServiceConfig();
  const logger = createLogger(SERVICE_NAME, config.LOG_LEVEL);
  const prisma = createPrismaClient(PrismaClient, config.PAYMENT_DATABASE_URL, config);
  const backbone = await startEventBackbone({
    serviceName: SERVICE_NAME,
    settings: config,
    databaseUrl: config.PAYMENT_DATABASE_URL,
    logger,
    publishesEvents: true,
  });
  const app = await buildPaymentServiceApp({ config, logger, prisma, readiness: backbone.readiness() });
  app.addHook('onClose', async () => {
    await backbone.stop();
    await telemetry?.shutdown();
  });
  const gateway = new SimulatedPaymentGateway({ latencyMs: config.PAYMENT_GATEWAY_LATENCY_MS });
  await startPaymentConsumers({
    backbone,
    gateway,
    runInTransaction: (work) => prisma.$transaction(work),
    logger,
  });
  await runService(app, { port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  // Configuration errors and failed start-ups end here: one readable line, then a non-zero exit.
  console.error(`${SERVICE_NAME} failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
