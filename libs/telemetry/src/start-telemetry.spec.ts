import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { context, isSpanContextValid, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';

import { startTelemetry } from './start-telemetry';
import { tracingInstrumentations } from './tracing-instrumentations';

const tsx = join(__dirname, '..', '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');

interface ReceivedRequest {
  method?: string;
  url?: string;
  contentType?: string;
  body: Buffer;
}

/** A stand-in OTLP/HTTP collector that records what it is sent. */
async function startCollector(): Promise<{ server: Server; endpoint: string; received: ReceivedRequest[] }> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method,
        url: request.url,
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks),
      });
      // An empty ExportTraceServiceResponse: everything accepted.
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${port}/collector`, received };
}

describe('startTelemetry', () => {
  it("when an OTLP endpoint is set, then a service process posts its spans as protobuf to <endpoint>/v1/traces, its HTTP server span in the caller's trace", async () => {
    const collector = await startCollector();
    const callerTraceId = '0af7651916cd43dd8448eb211c80319c';
    const child = spawn(
      process.execPath,
      [
        tsx,
        join(__dirname, 'testing', 'traced-process.fixture.ts'),
        collector.endpoint,
        `00-${callerTraceId}-b7ad6b7169203331-01`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    await new Promise((resolve) => collector.server.close(resolve));

    expect({ exitCode, errors }).toEqual({ exitCode: 0, errors: '' });
    expect(collector.received.length).toBeGreaterThan(0);
    for (const request of collector.received) {
      expect(request).toMatchObject({
        method: 'POST',
        url: '/collector/v1/traces',
        contentType: 'application/x-protobuf',
      });
    }
    // Protobuf keeps strings as UTF-8 and ids as raw bytes, so both can be looked for in the body.
    const body = Buffer.concat(collector.received.map((request) => request.body));
    expect(body.includes('fixture-service')).toBe(true);
    expect(body.includes('1.2.3')).toBe(true);
    expect(body.includes(Buffer.from(callerTraceId, 'hex'))).toBe(true);
  });

  it('when no exporter is set, then spans are still real, so children get their own ids for logs and headers', async () => {
    const telemetry = startTelemetry({ serviceName: 'probe-service' });
    const tracer = trace.getTracer('spec');
    const { parent, child, recording } = tracer.startActiveSpan('parent', (parentSpan) => {
      const childSpan = tracer.startSpan('child');
      const spans = {
        parent: parentSpan.spanContext(),
        child: childSpan.spanContext(),
        recording: childSpan.isRecording(),
      };
      childSpan.end();
      parentSpan.end();
      return spans;
    });
    await telemetry.shutdown();

    expect(recording).toBe(true);
    expect(isSpanContextValid(parent)).toBe(true);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.spanId).not.toBe(parent.spanId);
  });

  it('when a test passes its exporter, then spans carry the service resource and reach it as they end', async () => {
    const exporter = new InMemorySpanExporter();
    const telemetry = startTelemetry({
      serviceName: 'probe-service',
      serviceVersion: '1.2.3',
      spanExporter: exporter,
    });
    trace.getTracer('spec').startSpan('place order').end();
    await telemetry.forceFlush();
    const [span] = exporter.getFinishedSpans();
    await telemetry.shutdown();

    expect(span?.name).toBe('place order');
    expect(span?.resource.attributes).toMatchObject({
      'service.name': 'probe-service',
      'service.version': '1.2.3',
    });
  });

  it('when sampling is parentbased_traceidratio at 0, then no root is recorded, and a remote parent decides for its children', async () => {
    const exporter = new InMemorySpanExporter();
    const telemetry = startTelemetry({
      serviceName: 'probe-service',
      spanExporter: exporter,
      sampling: { sampler: 'parentbased_traceidratio', ratio: 0 },
    });
    const tracer = trace.getTracer('spec');
    const childOf = (traceFlags: TraceFlags, name: string) => {
      const remote = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags,
        isRemote: true,
      });
      context.with(remote, () => tracer.startSpan(name).end());
    };
    tracer.startSpan('root').end();
    childOf(TraceFlags.SAMPLED, 'child of a sampled caller');
    childOf(TraceFlags.NONE, 'child of an unsampled caller');
    await telemetry.forceFlush();
    const recorded = exporter.getFinishedSpans().map((span) => span.name);
    await telemetry.shutdown();

    expect(recorded).toEqual(['child of a sampled caller']);
  });

  it('when no sampling is given, then every trace is recorded (the demo default)', async () => {
    const exporter = new InMemorySpanExporter();
    const telemetry = startTelemetry({ serviceName: 'probe-service', spanExporter: exporter });
    trace.getTracer('spec').startSpan('root').end();
    await telemetry.forceFlush();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    await telemetry.shutdown();
  });

  it('when telemetry shuts down, then the global tracer is a no-op again and telemetry can start anew', async () => {
    await startTelemetry({ serviceName: 'probe-service' }).shutdown();
    expect(trace.getTracer('spec').startSpan('after shutdown').isRecording()).toBe(false);

    const exporter = new InMemorySpanExporter();
    const telemetry = startTelemetry({ serviceName: 'probe-service', spanExporter: exporter });
    trace.getTracer('spec').startSpan('restarted').end();
    await telemetry.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['restarted']);
    await telemetry.shutdown();
  });
});

describe('tracingInstrumentations', () => {
  it('when telemetry starts, then kafkajs is not auto-instrumented: the traceparent the relay writes must reach the consumer unchanged', () => {
    const instrumentations = tracingInstrumentations();
    const names = instrumentations.map((instrumentation) => instrumentation.instrumentationName);
    // Constructed instrumentations are enabled at once; leave no module patched behind.
    instrumentations.forEach((instrumentation) => instrumentation.disable());

    expect(names).toEqual(['@opentelemetry/instrumentation-http', '@fastify/otel']);
    expect(names).not.toContain('@opentelemetry/instrumentation-kafkajs');
  });

  it('when SQL statements are asked for (OTEL_TRACE_SQL), then PostgreSQL is instrumented too', () => {
    const instrumentations = tracingInstrumentations({ sqlStatements: true });
    const names = instrumentations.map((instrumentation) => instrumentation.instrumentationName);
    instrumentations.forEach((instrumentation) => instrumentation.disable());

    expect(names).toContain('@opentelemetry/instrumentation-pg');
  });
});
