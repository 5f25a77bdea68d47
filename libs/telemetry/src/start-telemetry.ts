import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

import { tracingInstrumentations } from './tracing-instrumentations';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /**
   * Base URL of an OTLP/HTTP collector (`OTEL_EXPORTER_OTLP_ENDPOINT`, read by the app's config),
   * e.g. `http://jaeger:4318`; spans are posted as protobuf to `<endpoint>/v1/traces`. Without it
   * nothing is exported, but spans are still made so that context propagates and logs carry ids.
   */
  otlpEndpoint?: string;
  /** For tests: every span is handed to this exporter as it ends (e.g. `InMemorySpanExporter`). */
  spanExporter?: SpanExporter;
}

export interface Telemetry {
  /** Exports every span that has ended. Tests call it before reading their exporter. */
  forceFlush(): Promise<void>;
  /** Exports what is pending, then undoes `startTelemetry`. Call it last, after the server closed. */
  shutdown(): Promise<void>;
}

/** Per the OTLP exporter spec, the traces path is appended to the endpoint's own path. */
function tracesUrl(otlpEndpoint: string): string {
  return new URL('v1/traces', otlpEndpoint.endsWith('/') ? otlpEndpoint : `${otlpEndpoint}/`).href;
}

function createSpanProcessors({ otlpEndpoint, spanExporter }: TelemetryOptions): SpanProcessor[] {
  const processors: SpanProcessor[] = [];
  if (otlpEndpoint) {
    processors.push(
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: tracesUrl(otlpEndpoint) }) }),
    );
  }
  if (spanExporter) processors.push(new SimpleSpanProcessor({ exporter: spanExporter }));
  // With no processor the SDK registers no tracer provider and every span is a no-op that copies
  // its parent's ids: nothing new to propagate, no span ids in logs. One that drops spans keeps
  // tracing real inside the process.
  return processors.length > 0 ? processors : [new NoopSpanProcessor()];
}

/**
 * Starts tracing for the process: resource (service name and version), W3C trace-context
 * propagation, span export, and the auto-instrumentations of `tracingInstrumentations`.
 *
 * Instrumentations patch `http` and `pg` as they are loaded and hook into Fastify instances as they
 * are constructed, so this must run before any of that: each app calls it from
 * `src/instrumentation.ts`, the first import of its `main.ts`. Once per process; `shutdown` undoes it.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const spanProcessors = createSpanProcessors(options);
  const instrumentations = tracingInstrumentations();
  const sdk = new NodeSDK({
    resource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.serviceName,
        ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
      }),
    ),
    spanProcessors,
    // Only trace context (`traceparent`, `tracestate`), whatever OTEL_PROPAGATORS says: these are
    // the headers the outbox rows and Kafka messages carry (SPEC §3).
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations,
    // Metrics are Prometheus through prom-client and logs are pino lines on stdout; left unset,
    // the SDK would start OTLP metric and log exporters of its own.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();

  return {
    async forceFlush() {
      await Promise.all(spanProcessors.map((processor) => processor.forceFlush()));
    },
    async shutdown() {
      // Instrumentations patch shared modules (`http`) and subscribe to Fastify's construction:
      // disabled first, so nothing records into a provider that is shutting down.
      for (const instrumentation of instrumentations) instrumentation.disable();
      await sdk.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
