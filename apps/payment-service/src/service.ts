import { defineService, prismaDatabase } from '@ecommerce/runtime';

import { loadPaymentServiceConfig, SERVICE_NAME } from './config';
import { inventoryHandlers } from './consumers/inventory.consumer';
import { ordersHandlers } from './consumers/orders.consumer';
import { SimulatedPaymentGateway } from './gateway/simulated-payment-gateway';
import { PrismaClient } from './generated/prisma/client';
import { registerPaymentRoutes } from './routes/payments.routes';

/**
 * payment-service: authorizes an order's payment once its stock is reserved, through a simulated,
 * deterministic gateway; refunds when the order is cancelled.
 *
 * Two consumer groups, one per topic, not one group over both. StockReserved may be read before
 * its OrderPlaced and is then retried in place until OrderPlaced is applied. In one kafkajs
 * consumer a fetch is not repeated until every batch of the previous one is handled, so a
 * StockReserved waiting in its retries would hold back the very OrderPlaced it waits for (always,
 * with one broker) and end in the dead-letter topic. Separate groups fetch independently. The
 * inventory group retries longer than the default (about 25 s in the worst case) to ride out a
 * slow orders consumer.
 */
export const paymentService = defineService({
  name: SERVICE_NAME,
  description: 'Payments of orders, authorized by a simulated, deterministic payment gateway.',
  loadConfig: loadPaymentServiceConfig,
  database: prismaDatabase(PrismaClient, 'PAYMENT_DATABASE_URL'),
  publishesEvents: true,
  parts: ({ config }) => ({
    gateway: new SimulatedPaymentGateway({ latencyMs: config.PAYMENT_GATEWAY_LATENCY_MS }),
  }),
  consumers: [
    {
      group: SERVICE_NAME,
      topics: ['orders'],
      handlers: ({ events, logger }) => ordersHandlers({ events, logger }),
      // Each handler writes its own order's payment rows, and one topic carries an order's events.
      transactionPerBatch: true,
    },
    {
      group: `${SERVICE_NAME}.inventory`,
      topics: ['inventory'],
      handlers: ({ events, logger, parts }) => inventoryHandlers({ events, gateway: parts.gateway, logger }),
      retry: { maxAttempts: 10, initialDelayMs: 200, maxDelayMs: 5_000 },
    },
  ],
  routes: (app, { db }) => registerPaymentRoutes(app, db),
});
