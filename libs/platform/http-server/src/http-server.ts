import { metrics as processMetrics, type ServiceMetrics } from '@ecommerce/telemetry';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';

import { guardAdminRoutes, withCredentialsRedacted } from './admin-api';
import { serveApiDocs } from './api-docs';
import { answerErrorsAsProblems, answerErrorAsProblem } from './http-errors';
import { serveMetrics } from './http-metrics';
import { requestValidatorCompiler } from './request-validation';

/** Something the service needs to do its work (database, Kafka, schema registry). */
export interface ServiceDependency {
  /** Resolves when the dependency answers; rejects with the reason otherwise. */
  check(): Promise<void>;
  /** Releases the connection when the server closes. */
  close?(): Promise<void>;
}

export interface HttpServerOptions {
  serviceName: string;
  logger: FastifyBaseLogger;
  dependencies: Record<string, ServiceDependency>;
  /** Per-check deadline, so one hung dependency cannot hang the probe. */
  readinessTimeoutMs?: number;
  /** What `/metrics` serves and request durations go to: the process's, unless a test counts its own. */
  metrics?: ServiceMetrics;
  /** `info.version` of the OpenAPI document at `/docs/json`. */
  apiVersion?: string;
  /** `info.description` of the OpenAPI document. */
  apiDescription?: string;
  /** The bearer token every route under `/admin/` requires (`ADMIN_TOKEN`); unset, they all answer 403. */
  adminToken?: string;
}

/** The server `createHttpServer` builds: route schemas written with TypeBox type the handlers. */
export type HttpServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

async function withDeadline(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The HTTP server every service starts from: JSON logging, body limit, request validation, errors
 * as `application/problem+json`, OpenAPI documentation, metrics and the health routes. Routes
 * declare `schema: { body, params, querystring, response }` with TypeBox; their handlers are typed
 * by it, invalid input is a 400 listing every bad field, and a thrown `DomainError` is answered
 * with its status and code (see README.md). `/health/live` says the process serves requests;
 * `/health/ready` says every dependency answers, and names the ones that do not; `/metrics` is for
 * Prometheus. Routes under `/admin/` require `Authorization: Bearer <adminToken>` (see admin-api.ts);
 * `authorization` headers are redacted from the logs. Closing the server closes the dependencies.
 *
 * Tracing needs nothing here: once the process has started telemetry (`@ecommerce/telemetry`),
 * every Fastify instance is instrumented as it is constructed, so each request is a span that
 * continues the caller's `traceparent`, and the logger's lines inside it carry its trace id.
 */
export async function createHttpServer({
  serviceName,
  logger,
  dependencies,
  readinessTimeoutMs = 2_000,
  metrics = processMetrics,
  apiVersion = '0.0.0',
  apiDescription,
  adminToken,
}: HttpServerOptions): Promise<HttpServer> {
  const app = Fastify({
    loggerInstance: withCredentialsRedacted(logger),
    bodyLimit: 256 * 1024,
    frameworkErrors: answerErrorAsProblem,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(requestValidatorCompiler());
  answerErrorsAsProblems(app);
  // Before any route, so the document lists them all.
  await serveApiDocs(app, { serviceName, version: apiVersion, description: apiDescription });
  // Also before any route: it attaches itself to each admin route as the route is declared.
  guardAdminRoutes(app, adminToken);

  serveMetrics(app, metrics);

  const operational = { schema: { hide: true } };
  app.get('/health/live', operational, async () => ({ status: 'live', service: serviceName }));

  app.get('/health/ready', operational, async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(dependencies).map(async ([name, dependency]) => {
        try {
          await withDeadline(() => dependency.check(), readinessTimeoutMs);
          return [name, { status: 'up' }] as const;
        } catch (error) {
          return [name, { status: 'down', error: (error as Error).message }] as const;
        }
      }),
    );
    const ready = results.every(([, result]) => result.status === 'up');
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not ready',
      service: serviceName,
      checks: Object.fromEntries(results),
    });
  });

  app.addHook('onClose', async () => {
    await Promise.all(Object.values(dependencies).map((dependency) => dependency.close?.()));
  });

  return app;
}
