import {
  createLogger,
  createServiceMetrics,
  InMemorySpanExporter,
  SpanKind,
  startTelemetry,
  withLogContext,
  type ServiceMetrics,
  type Telemetry,
} from '@ecommerce/telemetry';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';

import { createHttpServer } from './http-server';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;

beforeAll(() => {
  // As `instrumentation.ts` does in a service: telemetry first, servers after.
  telemetry = startTelemetry({ serviceName: 'probe', spanExporter: exporter });
});
afterEach(() => exporter.reset());
afterAll(() => telemetry.shutdown());

const callerTraceId = '0af7651916cd43dd8448eb211c80319c';
const callerTraceparent = `00-${callerTraceId}-b7ad6b7169203331-01`;

async function probeServer(): Promise<{
  app: FastifyInstance;
  lines: Record<string, unknown>[];
  metrics: ServiceMetrics;
}> {
  const lines: Record<string, unknown>[] = [];
  const destination: DestinationStream = { write: (line: string) => void lines.push(JSON.parse(line)) };
  const metrics = createServiceMetrics();
  const app = await createHttpServer({
    serviceName: 'probe',
    logger: createLogger('probe', 'info', destination),
    dependencies: {},
    metrics,
  });
  app.post('/orders/:orderId/notes', async (request) => {
    const { orderId } = request.params as { orderId: string };
    withLogContext({ orderId, correlationId: 'corr-1' }, () => request.log.info('note added'));
    return { ok: true };
  });
  return { app, lines, metrics };
}

describe('createHttpServer observability', () => {
  it("when a request carries a traceparent, then it is served in a SERVER span of the caller's trace, named by its route", async () => {
    const { app } = await probeServer();
    await app.inject({
      method: 'POST',
      url: '/orders/o-1/notes',
      headers: { traceparent: callerTraceparent },
    });
    await app.close();
    await telemetry.forceFlush();

    const server = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER);
    expect(server?.spanContext().traceId).toBe(callerTraceId);
    expect(server?.attributes).toMatchObject({
      'http.route': '/orders/:orderId/notes',
      'http.response.status_code': 200,
    });
  });

  it("when a line is logged inside a request, then it carries the request's traceId and the log context's fields", async () => {
    const { app, lines } = await probeServer();
    await app.inject({
      method: 'POST',
      url: '/orders/o-1/notes',
      headers: { traceparent: callerTraceparent },
    });
    await app.close();

    expect(lines.find((line) => line['msg'] === 'note added')).toMatchObject({
      service: 'probe',
      traceId: callerTraceId,
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
      orderId: 'o-1',
      correlationId: 'corr-1',
    });
  });

  it('when /metrics is scraped, then it answers in Prometheus text format with every SPEC metric and the request durations', async () => {
    const { app } = await probeServer();
    await app.inject({ method: 'POST', url: '/orders/o-1/notes' });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    await app.close();

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const [name, type] of [
      ['ecommerce_outbox_backlog_events', 'gauge'],
      ['ecommerce_outbox_oldest_event_age_seconds', 'gauge'],
      ['ecommerce_events_published_total', 'counter'],
      ['ecommerce_consumer_lag_messages', 'gauge'],
      ['ecommerce_handler_duration_seconds', 'histogram'],
      ['ecommerce_handler_retries_total', 'counter'],
      ['ecommerce_dead_letters_total', 'counter'],
      ['ecommerce_saga_outcomes_total', 'counter'],
      ['ecommerce_saga_duration_seconds', 'histogram'],
      ['ecommerce_http_request_duration_seconds', 'histogram'],
    ]) {
      expect(response.body).toContain(`# TYPE ${name} ${type}\n`);
    }
    expect(response.body).toContain(
      'ecommerce_http_request_duration_seconds_count{method="POST",route="/orders/:orderId/notes",status_code="200"} 1\n',
    );
  });

  it('when probes and scrapes are served, then they make no spans', async () => {
    const { app } = await probeServer();
    for (const url of ['/health/live', '/health/ready', '/metrics']) await app.inject({ method: 'GET', url });
    await app.close();
    await telemetry.forceFlush();

    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
