import { fastifySwagger } from '@fastify/swagger';
import { fastifySwaggerUi } from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

import { adminSecurityScheme } from './admin-api';

export interface ApiDocsOptions {
  serviceName: string;
  version: string;
  description?: string;
}

/**
 * `GET /docs` (Swagger UI) and `GET /docs/json` (the OpenAPI 3 document), built from the routes'
 * schemas; a route with `schema: { hide: true }` is left out. @fastify/swagger learns the routes
 * from an `onRoute` hook, so this is awaited before any route is added.
 */
export async function serveApiDocs(
  app: FastifyInstance,
  { serviceName, version, description }: ApiDocsOptions,
): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: serviceName, version, ...(description === undefined ? {} : { description }) },
      components: { securitySchemes: adminSecurityScheme },
    },
    // Shared schemas (`ProblemDetails`) become components named by their `$id`, not `def-0`.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) =>
        typeof json['$id'] === 'string' ? json['$id'] : `def-${index}`,
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}
