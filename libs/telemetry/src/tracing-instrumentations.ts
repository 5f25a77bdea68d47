import { FastifyOtelInstrumentation } from '@fastify/otel';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';

/** One instrumentation, typed as NodeSDK takes it (its list also accepts nested lists). */
type Instrumentation = Exclude<NodeSDKConfiguration['instrumentations'][number], unknown[]>;

/** Probes and scrapes: polled every few seconds, their traces would bury the orders' ones. */
const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/health/live', '/health/ready', '/metrics']);

function isUntracedPath(url: string | undefined): boolean {
  return UNTRACED_PATHS.has((url ?? '').split('?')[0] ?? '');
}

/**
 * What is traced without code:
 * - HTTP: a SERVER span per incoming request (parent taken from its `traceparent`), and a CLIENT
 *   span per outgoing call made inside a trace (the schema registry client's);
 * - Fastify: the route (`http.route`) and handler of each request. Registered on every Fastify
 *   instance as it is constructed, before any route exists: a plugin added with `register` later
 *   would miss the routes declared before it loads. Hook spans are left out to keep traces readable;
 * - PostgreSQL, when `sqlStatements` is on (`OTEL_TRACE_SQL`): one span per query made inside a
 *   trace. Off by default: a span per statement costs CPU on every query (several per event) and
 *   makes each order's trace hundreds of spans long, while the consumer and HTTP spans already
 *   time each transaction. Queries outside a trace (the relay's polling) are never traced: each
 *   would start a trace of its own and drown the rest.
 *
 * kafkajs is deliberately NOT instrumented. Its instrumentation starts a PRODUCER span under the
 * context active at `send` and overwrites the message's `traceparent` with it. The relay publishes
 * rows from its polling loop, where the active context is the relay's, not the request's: the
 * header the relay copied from the outbox row would be replaced and every event would start a new
 * trace (measured with kafkajs 2.2.4 and instrumentation-kafkajs 0.33: sent trace 0af76519...,
 * received a fresh one). The messaging code makes the PRODUCER and CONSUMER spans itself with
 * `runInExtractedContext`, from the context stored with each row.
 */
export function tracingInstrumentations(options: { sqlStatements?: boolean } = {}): Instrumentation[] {
  const instrumentations: Instrumentation[] = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => isUntracedPath(request.url),
      requireParentforOutgoingSpans: true,
    }),
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      ignorePaths: ({ url }) => isUntracedPath(url),
      instrumentHooks: false,
    }),
  ];
  if (options.sqlStatements) instrumentations.push(new PgInstrumentation({ requireParentSpan: true }));
  return instrumentations;
}
