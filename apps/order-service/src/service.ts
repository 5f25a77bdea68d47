import { defineService, prismaDatabase } from '@ecommerce/runtime';

import { startSagaTimeoutSweeper } from './application/saga-timeout';
import { loadOrderServiceConfig, SERVICE_NAME } from './config';
import { catalogEventHandlers } from './consumers/catalog-events.consumer';
import { lockSagaBatch, sagaEventHandlers } from './consumers/saga-events.consumer';
import { PrismaClient } from './generated/prisma/client';
import { registerOrderRoutes } from './routes/orders.routes';

/**
 * order-service: takes orders, and follows each through its saga (choreographed: it reacts to
 * inventory's and payment's events, and cancels what outlives SAGA_TIMEOUT_MS).
 *
 * Two consumer groups. The saga group reads inventory and payments together: both only react to
 * an order that already exists (OrderPlaced commits with it), so none of their events waits on
 * another and one group cannot hold itself back. The catalog replica has a group of its own, so
 * prices keep flowing while saga events are being retried, and the replica can be rebuilt (its
 * offsets reset) without replaying the saga.
 */
export const orderService = defineService({
  name: SERVICE_NAME,
  description: 'Orders, their saga (choreographed over Kafka), and a replica of the catalog’s prices.',
  loadConfig: loadOrderServiceConfig,
  database: prismaDatabase(PrismaClient, 'ORDER_DATABASE_URL'),
  publishesEvents: true,
  parts: ({ config, db, events, metrics, logger }) => {
    const sweeper = startSagaTimeoutSweeper({ db, events, metrics, logger }, config.SAGA_TIMEOUT_MS, {
      batchSize: 50,
      transactionTimeoutMs: config.DATABASE_TRANSACTION_TIMEOUT_MS,
    });
    return { close: () => sweeper.stop() };
  },
  consumers: [
    {
      group: SERVICE_NAME,
      topics: ['inventory', 'payments'],
      handlers: ({ events, metrics, logger }) => sagaEventHandlers({ events, metrics, logger }),
      transactionPerBatch: true,
      lockBatch: lockSagaBatch,
    },
    {
      group: `${SERVICE_NAME}.catalog`,
      topics: ['catalog'],
      handlers: ({ logger }) => catalogEventHandlers({ logger }),
      // Each event writes its own SKU's row, and one topic carries a SKU's events.
      transactionPerBatch: true,
    },
  ],
  routes: (app, { db, sql, events, metrics }) => registerOrderRoutes(app, { db, sql, events, metrics }),
});
