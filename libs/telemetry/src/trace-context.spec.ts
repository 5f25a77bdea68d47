import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';

import { carrierFromKafkaHeaders, kafkaHeadersFromContext, type KafkaHeaders } from './kafka-trace-headers';
import { startTelemetry, type Telemetry } from './start-telemetry';
import { captureTraceContext, runInExtractedContext, type TraceCarrier } from './trace-context';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;

beforeAll(() => {
  telemetry = startTelemetry({ serviceName: 'trace-context-spec', spanExporter: exporter });
});
afterEach(() => exporter.reset());
afterAll(() => telemetry.shutdown());

async function finishedSpans(): Promise<ReadableSpan[]> {
  await telemetry.forceFlush();
  return exporter.getFinishedSpans();
}

async function finishedSpan(name: string): Promise<ReadableSpan> {
  const span = (await finishedSpans()).find((candidate) => candidate.name === name);
  if (!span) throw new Error(`no finished span named ${name}`);
  return span;
}

/** What an incoming HTTP request does: a SERVER span, inside which the outbox row's context is captured. */
function handleRequest(): TraceCarrier {
  return trace.getTracer('spec').startActiveSpan('POST /orders', { kind: SpanKind.SERVER }, (span) => {
    const carrier = captureTraceContext();
    span.end();
    return carrier;
  });
}

/** What the database does to the carrier: a JSON column, written now, read back later. */
function storeAndLoad(carrier: TraceCarrier): TraceCarrier {
  return JSON.parse(JSON.stringify(carrier)) as TraceCarrier;
}

/** What Kafka does to the headers: a consumer receives every value as a Buffer. */
function deliver(headers: Record<string, string>): KafkaHeaders {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Buffer.from(value)]));
}

describe('captureTraceContext and runInExtractedContext', () => {
  it('when a carrier captured inside a span is used later outside any context, then the new span is a child of the captured one', async () => {
    const carrier = storeAndLoad(handleRequest());
    expect(trace.getActiveSpan()).toBeUndefined();

    await runInExtractedContext(
      carrier,
      'publish ecommerce.orders',
      { kind: SpanKind.PRODUCER },
      () => undefined,
    );

    const request = await finishedSpan('POST /orders');
    const publish = await finishedSpan('publish ecommerce.orders');
    expect(publish.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(publish.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(publish.kind).toBe(SpanKind.PRODUCER);
  });

  it('when an event travels through three services, then every span of the chain is in the one trace of the request, each the child of the one before', async () => {
    // One Kafka hop: the relay publishes a stored row under a PRODUCER span and puts that span's
    // context in the headers; the next service consumes under a CONSUMER span and, inside it,
    // writes its own outbox row with the then active context.
    async function hop(row: TraceCarrier, topic: string): Promise<TraceCarrier> {
      const headers = await runInExtractedContext(
        storeAndLoad(row),
        `publish ${topic}`,
        { kind: SpanKind.PRODUCER },
        () => kafkaHeadersFromContext(),
      );
      return runInExtractedContext(
        carrierFromKafkaHeaders(deliver(headers)),
        `process ${topic}`,
        { kind: SpanKind.CONSUMER },
        () => captureTraceContext(),
      );
    }

    const placed = handleRequest();
    const reserved = await hop(placed, 'ecommerce.orders');
    const authorized = await hop(reserved, 'ecommerce.inventory');
    await hop(authorized, 'ecommerce.payments');

    const spans = await finishedSpans();
    const chain = [
      'POST /orders',
      'publish ecommerce.orders',
      'process ecommerce.orders',
      'publish ecommerce.inventory',
      'process ecommerce.inventory',
      'publish ecommerce.payments',
      'process ecommerce.payments',
    ].map((name) => spans.find((span) => span.name === name));
    expect(chain.every((span) => span !== undefined)).toBe(true);
    const traceIds = new Set(chain.map((span) => span?.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    chain.slice(1).forEach((span, index) => {
      expect(span?.parentSpanContext?.spanId).toBe(chain[index]?.spanContext().spanId);
    });
    expect(chain.map((span) => span?.kind)).toEqual([
      SpanKind.SERVER,
      ...Array(3).fill([SpanKind.PRODUCER, SpanKind.CONSUMER]).flat(),
    ]);
  });

  it('when fn throws, then the span records the exception with an error status, ends, and the error is rethrown', async () => {
    const failure = new Error('payment gateway unreachable');

    await expect(
      runInExtractedContext(handleRequest(), 'process ecommerce.orders', { kind: SpanKind.CONSUMER }, () => {
        throw failure;
      }),
    ).rejects.toBe(failure);

    const span = await finishedSpan('process ecommerce.orders');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'payment gateway unreachable' });
    expect(span.events.map((event) => [event.name, event.attributes?.['exception.message']])).toEqual([
      ['exception', 'payment gateway unreachable'],
    ]);
  });

  it("when called inside another span, then the parent is the carrier's context, not the active span", async () => {
    const row = handleRequest();
    // The relay's own work (a polling span, say) is active while it publishes rows.
    await trace.getTracer('spec').startActiveSpan('poll outbox', async (poll) => {
      await runInExtractedContext(
        row,
        'publish ecommerce.orders',
        { kind: SpanKind.PRODUCER },
        () => undefined,
      );
      await runInExtractedContext(
        {},
        'publish ecommerce.catalog',
        { kind: SpanKind.PRODUCER },
        () => undefined,
      );
      poll.end();
    });

    const request = await finishedSpan('POST /orders');
    const withContext = await finishedSpan('publish ecommerce.orders');
    const withoutContext = await finishedSpan('publish ecommerce.catalog');
    expect(withContext.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(withoutContext.parentSpanContext).toBeUndefined();
  });

  it('when the carrier is empty, then the span starts a trace of its own', async () => {
    await runInExtractedContext(
      {},
      'publish ecommerce.catalog',
      { kind: SpanKind.PRODUCER },
      () => undefined,
    );

    const span = await finishedSpan('publish ecommerce.catalog');
    expect(span.parentSpanContext).toBeUndefined();
  });

  it('when fn runs, then its span is the active one and carries the given attributes', async () => {
    const activeSpanId = await runInExtractedContext(
      {},
      'process ecommerce.payments',
      { kind: SpanKind.CONSUMER, attributes: { 'messaging.destination.name': 'ecommerce.payments' } },
      (span) => {
        expect(trace.getActiveSpan()).toBe(span);
        return span.spanContext().spanId;
      },
    );

    const span = await finishedSpan('process ecommerce.payments');
    expect(span.spanContext().spanId).toBe(activeSpanId);
    expect(span.attributes).toEqual({ 'messaging.destination.name': 'ecommerce.payments' });
  });
});

describe('carrierFromKafkaHeaders', () => {
  it('when headers arrive as Buffers among other headers, then only the trace context is kept, as text', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(
      carrierFromKafkaHeaders({
        traceparent: Buffer.from(traceparent),
        tracestate: 'vendor=value',
        'event-type': Buffer.from('OrderPlaced'),
        empty: undefined,
      }),
    ).toEqual({ traceparent, tracestate: 'vendor=value' });
  });

  it('when a message has no headers, then the carrier is empty', () => {
    expect(carrierFromKafkaHeaders(undefined)).toEqual({});
  });
});
