// Must stay the first import: see instrumentation.ts.
import { telemetry } from './instrumentation';

import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone } from '@ecommerce/event-backbone';
import { createLogger, runService } from '@ecommerce/service-runtime';

import { buildNotificationServiceApp } from './app';
import { createNotificationChannel } from './channels/notification-channel';
import { loadNotificationServiceConfig, SERVICE_NAME } from './config';
import { orderEventHandlers } from './consumers/order-events.consumer';
import { PrismaClient } from './generated/prisma/client';

// Composition root: configuration, clients, entry points (HTTP, outbox relay), graceful shutdown.
async function main(): Promise<void> {
  const config = loadNotificationServiceConfig();
  const logger = createLogger(SERVICE_NAME, config.LOG_LEVEL);
  const prisma = createPrismaClient(PrismaClient, config.NOTIFICATION_DATABASE_URL, config);
  const backbone = await startEventBackbone({
    serviceName: SERVICE_NAME,
    settings: config,
    databaseUrl: config.NOTIFICATION_DATABASE_URL,
    logger,
    publishesEvents: true,
  });
  const channel = createNotificationChannel({
    smtpUrl: config.SMTP_URL,
    smtpTimeoutMs: config.SMTP_TIMEOUT_MS,
    from: config.MAIL_FROM,
    logger,
  });
  await backbone.consume({
    topics: ['orders'],
    handlers: orderEventHandlers({
      backbone,
      channel,
      customerMailDomain: config.CUSTOMER_MAIL_DOMAIN,
      logger,
    }),
    runInTransaction: (work) => prisma.$transaction(work),
    logger,
  });
  const app = await buildNotificationServiceApp({ config, logger, prisma, readiness: backbone.readiness() });
  app.addHook('onClose', async () => {
    await backbone.stop();
    channel.close();
    await telemetry?.shutdown();
  });
  await runService(app, { port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  // Configuration errors and failed start-ups end here: one readable line, then a non-zero exit.
  console.error(`${SERVICE_NAME} failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
