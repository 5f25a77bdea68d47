import type { HttpServer } from '@ecommerce/http-server';
import { Type } from '@sinclair/typebox';

import type { ClusterMonitor } from '../projection/cluster-monitor';
import type { OrderConsoleProjection } from '../projection/order-console-projection';

/**
 * The console's read model as JSON, for scripts and tests: what the pages show. Described in the
 * OpenAPI document at `/docs`; no schema on the answers, which mirror the pages' types.
 */
export function registerConsoleApiRoutes(
  app: HttpServer,
  deps: { projection: OrderConsoleProjection; cluster: ClusterMonitor },
): void {
  const { projection, cluster } = deps;
  app.get(
    '/api/orders',
    {
      schema: {
        summary: 'Recent orders with their status and every event on their timeline, newest first',
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, description: '50 by default' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    (request) => projection.recentOrders(request.query.limit ?? 50),
  );

  app.get(
    '/api/orders/:orderId',
    {
      schema: {
        summary: "One order's timeline, each event with the consumer groups that have handled it",
        params: Type.Object({ orderId: Type.String({ format: 'uuid' }) }),
      },
    },
    (request, reply) => {
      const order = projection.order(request.params.orderId);
      if (!order) return reply.code(404).send({ orderId: request.params.orderId, seen: false });
      return {
        ...order,
        timeline: order.timeline.map((entry) => ({ ...entry, handledBy: cluster.handlingOf(entry) })),
      };
    },
  );

  app.get(
    '/api/system',
    {
      schema: {
        summary: "Consumer groups (lag, dead letters) from Kafka, and each service's latest outbox sample",
      },
    },
    () => ({ cluster: cluster.current(), outboxes: projection.outboxStatuses() }),
  );
}
