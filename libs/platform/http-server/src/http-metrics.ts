import type { ServiceMetrics } from '@ecommerce/telemetry';
import type { FastifyInstance } from 'fastify';

/**
 * `GET /metrics` in Prometheus text format, and the duration of every request recorded under its
 * route pattern (`/orders/:id`, not the URL), so the label has one value per route.
 */
export function serveMetrics(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
