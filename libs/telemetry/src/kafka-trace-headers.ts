import { captureTraceContext, type TraceCarrier } from './trace-context';

/**
 * Kafka message headers as kafkajs types them (`IHeaders`), declared here because only
 * libs/messaging imports kafkajs. Consumed messages carry Buffers; a key sent twice arrives as an array.
 */
export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** The W3C headers SPEC §3 puts on every message; no other header is trace context. */
const TRACE_CONTEXT_HEADERS = ['traceparent', 'tracestate'] as const;

/**
 * The active trace context as Kafka headers. The relay calls it inside its PRODUCER span, so
 * consumers become children of that span. The same strings as `captureTraceContext`: W3C trace
 * context is text in both places; the name says where this copy goes.
 */
export function kafkaHeadersFromContext(): Record<string, string> {
  return captureTraceContext();
}

function headerText(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

/** The trace context a consumed message carries, ready for `runInExtractedContext`. */
export function carrierFromKafkaHeaders(headers: Readonly<KafkaHeaders> | undefined): TraceCarrier {
  const carrier: TraceCarrier = {};
  for (const name of TRACE_CONTEXT_HEADERS) {
    const value = headers?.[name];
    if (value === undefined) continue;
    // Repeated headers are joined as HTTP joins repeated fields: a list for `tracestate`, and an
    // invalid `traceparent` that the propagator rejects rather than guessing which one is right.
    carrier[name] = (Array.isArray(value) ? value : [value]).map(headerText).join(',');
  }
  return carrier;
}
