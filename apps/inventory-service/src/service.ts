import { defineService, prismaDatabase } from '@ecommerce/runtime';

import { loadInventoryServiceConfig, SERVICE_NAME } from './config';
import { lockStockBatch, orderEventHandlers } from './consumers/order-events.consumer';
import { PrismaClient } from './generated/prisma/client';
import { registerProductRoutes } from './routes/products.routes';

/**
 * inventory-service: the product catalog (published as ProductUpserted for the order service's
 * replica) and its stock, reserved for placed orders and released when they are cancelled.
 */
export const inventoryService = defineService({
  name: SERVICE_NAME,
  description: 'The product catalog and its stock (on hand, reserved, available).',
  loadConfig: loadInventoryServiceConfig,
  database: prismaDatabase(PrismaClient, 'INVENTORY_DATABASE_URL'),
  publishesEvents: true,
  consumers: [
    {
      group: SERVICE_NAME,
      topics: ['orders'],
      handlers: ({ events, logger }) => orderEventHandlers({ events, logger }),
      transactionPerBatch: true,
      lockBatch: lockStockBatch,
    },
  ],
  routes: (app, { db, events }) => registerProductRoutes(app, { db, events }),
});
