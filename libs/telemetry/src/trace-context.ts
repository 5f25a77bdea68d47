import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type SpanKind,
} from '@opentelemetry/api';

/**
 * W3C trace context as plain strings: `traceparent`, and `tracestate` when there is one. This is
 * what an outbox row stores next to its event, and what a Kafka message carries in its headers.
 */
export type TraceCarrier = Record<string, string>;

export interface ExtractedSpanOptions {
  /** `SpanKind.PRODUCER` for the relay publishing a row, `SpanKind.CONSUMER` for a handler. */
  kind: SpanKind;
  attributes?: Attributes;
}

const TRACER_NAME = '@ecommerce/telemetry';

/**
 * The active trace context, to store with an outbox row in the same transaction as the state
 * change. Empty when no span is active: the row's event then starts a trace of its own.
 */
export function captureTraceContext(): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * Runs `fn` in a new span whose parent is the context in `carrier`, whatever context is active
 * where it is called: the relay publishes from its own polling loop and a consumer runs in the
 * Kafka client's, yet each message's span belongs to the trace of the request that caused it.
 * An empty carrier starts a new trace. The span ends when `fn` settles; when `fn` throws, the span
 * records the exception and an error status, and the error is rethrown unchanged.
 */
export async function runInExtractedContext<Result>(
  carrier: Readonly<TraceCarrier>,
  spanName: string,
  { kind, attributes }: ExtractedSpanOptions,
  fn: (span: Span) => Result | Promise<Result>,
): Promise<Result> {
  const parent = propagation.extract(ROOT_CONTEXT, carrier);
  // Looked up per call, not once per module: a tracer obtained before the SDK restarts (tests do)
  // would keep pointing at the provider that was shut down.
  const span = trace.getTracer(TRACER_NAME).startSpan(spanName, { kind, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    span.end();
  }
}
