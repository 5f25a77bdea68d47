import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NoopSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
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
  /**
   * Which traces are recorded (`OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`, the standard
   * variables, validated by the app's config). Default `parentbased_always_on`: every trace.
   */
  sampling?: TraceSampling;
  /** A span per SQL statement inside a trace (`OTEL_TRACE_SQL`); off by default. */
  traceSqlStatements?: boolean;
}

export interface TraceSampling {
  /** One of the built-in samplers `OTEL_TRACES_SAMPLER` names in OpenTelemetry's specification. */
  sampler:
    | 'always_on'
    | 'always_off'
    | 'traceidratio'
    | 'parentbased_always_on'
    | 'parentbased_always_off'
    | 'parentbased_traceidratio';
  /** The ratio of the `traceidratio` samplers, 0 to 1. */
  ratio: number;
}

/**
 * The sampler a setting names. The parent-based ones decide only at the root (an HTTP request
 * without a sampled `traceparent`, a sweep) and follow the parent everywhere else; the decision
 * travels in the trace flags of `traceparent`, through outbox rows and Kafka headers, so an order is
 * traced in every service or in none.
 */
export function samplerFor({ sampler, ratio }: TraceSampling): Sampler {
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
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
  const instrumentations = tracingInstrumentations({ sqlStatements: options.traceSqlStatements });
  const sdk = new NodeSDK({
    // Explicit, so a service traces what its validated settings say and never what the SDK would
    // read from the environment on its own.
    sampler: samplerFor(options.sampling ?? { sampler: 'parentbased_always_on', ratio: 1 }),
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
