import { defineService, prismaDatabase } from '@ecommerce/runtime';

import { loadAnalyticsServiceConfig, SERVICE_NAME } from './config';
import { orderEventHandlers, projectedTopics } from './consumers/order-events.consumer';
import { PrismaClient } from './generated/prisma/client';
import { projectionRebuilder } from './rebuild/rebuild-projections';
import { registerAnalyticsRoutes } from './routes/analytics.routes';
import { registerProjectionsAdminRoutes } from './routes/projections-admin.routes';

/**
 * analytics-service: read models of the orders (summary, top products, sales), built only from
 * events; it publishes nothing. Its one consumer group is what a rebuild stops, rewinds and
 * starts again.
 */
export const analyticsService = defineService({
  name: SERVICE_NAME,
  description: 'Read models of the orders, built only from events: summary, top products, sales.',
  loadConfig: loadAnalyticsServiceConfig,
  database: prismaDatabase(PrismaClient, 'ANALYTICS_DATABASE_URL'),
  publishesEvents: false,
  consumers: [
    {
      group: SERVICE_NAME,
      topics: projectedTopics,
      handlers: ({ logger }) => orderEventHandlers({ logger }),
      // Each projection writes its own order's rows, and one topic carries an order's events.
      transactionPerBatch: true,
    },
  ],
  routes: (app, { db, events, consumers }) => {
    registerAnalyticsRoutes(app, { db });
    const projections = { group: SERVICE_NAME, start: consumers.start, stop: consumers.stop };
    registerProjectionsAdminRoutes(app, projectionRebuilder({ db, backbone: events, projections }));
  },
});
