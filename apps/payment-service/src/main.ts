import { createPrismaClient } from '@ecommerce/database';
import { createLogger, runService } from '@ecommerce/service-runtime';

import { buildPaymentServiceApp, SERVICE_NAME } from './app';
import { loadPaymentServiceConfig } from './config';
import { PrismaClient } from './generated/prisma/client';

// Composition root: configuration, clients, the HTTP entry point, graceful shutdown. Nothing else.
async function main(): Promise<void> {
  const config = loadPaymentServiceConfig();
  const logger = createLogger(SERVICE_NAME, config.LOG_LEVEL);
  const prisma = createPrismaClient(PrismaClient, config.PAYMENT_DATABASE_URL);
  const app = buildPaymentServiceApp({ config, logger, prisma });
  await runService(app, { port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  // Configuration errors and failed start-ups end here: one readable line, then a non-zero exit.
  console.error(`${SERVICE_NAME} failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
