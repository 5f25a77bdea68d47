// Stand-in for Jaeger in CI, where no image can be pulled and Jaeger (a Go program) is on none of
// the registries the build machines reach. It is not a tracing backend: it keeps, in memory, the
// spans the services export and answers the few Jaeger query API calls that the compose check
// (apps/demo-init/src/verify-demo.ts) and a person reading the README make:
//
//   POST :4318/v1/traces                OTLP/HTTP, protobuf (what the services send)
//   GET  :16686/api/services            { data: [serviceName] }
//   GET  :16686/api/traces/:traceId     { data: [trace] }, trace in Jaeger's JSON model
//   GET  :16686/api/traces?service=&limit=
//
// The OTLP decoding below reads only the fields those answers need; protobuf's wire format is
// small enough that a dependency-free reader is shorter than vendoring the .proto files.
import { createServer } from 'node:http';

const maxSpans = 200_000;
/** traceId (hex) -> spans */
const traces = new Map();
let spanCount = 0;

/** A minimal protobuf reader: varints, fixed64 and length-delimited fields. */
function* fields(buffer) {
  let offset = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[offset++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (offset < buffer.length) {
    const tag = Number(varint());
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (wireType === 0) yield { number, value: varint() };
    else if (wireType === 1) {
      yield { number, value: buffer.readBigUInt64LE(offset) };
      offset += 8;
    } else if (wireType === 2) {
      const length = Number(varint());
      yield { number, value: buffer.subarray(offset, offset + length) };
      offset += length;
    } else if (wireType === 5) offset += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

const text = (bytes) => Buffer.from(bytes).toString('utf8');

/** KeyValue { key = 1; AnyValue value = 2 { string_value = 1; bool = 2; int = 3; double = 4 } } */
function keyValue(bytes) {
  let key = '';
  let value;
  for (const field of fields(bytes)) {
    if (field.number === 1) key = text(field.value);
    if (field.number === 2) {
      for (const any of fields(field.value)) {
        if (any.number === 1) value = { type: 'string', value: text(any.value) };
        if (any.number === 2) value = { type: 'bool', value: any.value !== 0n };
        if (any.number === 3) value = { type: 'int64', value: Number(BigInt.asIntN(64, any.value)) };
      }
    }
  }
  return { key, ...(value ?? { type: 'string', value: '' }) };
}

const spanKinds = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** Span { trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, start 7, end 8, attributes 9 } */
function span(bytes, serviceName) {
  const decoded = { serviceName, tags: [] };
  for (const field of fields(bytes)) {
    if (field.number === 1) decoded.traceId = Buffer.from(field.value).toString('hex');
    if (field.number === 2) decoded.spanId = Buffer.from(field.value).toString('hex');
    if (field.number === 4 && field.value.length > 0)
      decoded.parentSpanId = Buffer.from(field.value).toString('hex');
    if (field.number === 5) decoded.name = text(field.value);
    if (field.number === 6) decoded.kind = spanKinds[Number(field.value)] ?? 'unspecified';
    if (field.number === 7) decoded.startNanos = field.value;
    if (field.number === 8) decoded.endNanos = field.value;
    if (field.number === 9) decoded.tags.push(keyValue(field.value));
  }
  return decoded;
}

/** ExportTraceServiceRequest { resource_spans 1 { resource 1 { attributes 1 }, scope_spans 2 { spans 2 } } } */
function storeExport(body) {
  for (const resourceSpans of fields(body)) {
    if (resourceSpans.number !== 1) continue;
    let serviceName = 'unknown';
    const scopeSpans = [];
    for (const field of fields(resourceSpans.value)) {
      if (field.number === 1) {
        for (const attribute of fields(field.value)) {
          if (attribute.number !== 1) continue;
          const { key, value } = keyValue(attribute.value);
          if (key === 'service.name') serviceName = String(value);
        }
      }
      if (field.number === 2) scopeSpans.push(field.value);
    }
    for (const scope of scopeSpans) {
      for (const field of fields(scope)) {
        if (field.number !== 2 || spanCount >= maxSpans) continue;
        const decoded = span(field.value, serviceName);
        if (!decoded.traceId) continue;
        traces.set(decoded.traceId, [...(traces.get(decoded.traceId) ?? []), decoded]);
        spanCount += 1;
      }
    }
  }
}

/** A trace in the shape of Jaeger's query API (model/json). */
function jaegerTrace(traceId, spans) {
  const processIds = new Map();
  for (const s of spans)
    if (!processIds.has(s.serviceName)) processIds.set(s.serviceName, `p${processIds.size + 1}`);
  return {
    traceID: traceId,
    spans: spans.map((s) => ({
      traceID: traceId,
      spanID: s.spanId,
      operationName: s.name,
      references: s.parentSpanId ? [{ refType: 'CHILD_OF', traceID: traceId, spanID: s.parentSpanId }] : [],
      startTime: Number(s.startNanos / 1000n),
      duration: Number((s.endNanos - s.startNanos) / 1000n),
      tags: [{ key: 'span.kind', type: 'string', value: s.kind }, ...s.tags],
      processID: processIds.get(s.serviceName),
    })),
    processes: Object.fromEntries(
      [...processIds].map(([serviceName, id]) => [id, { serviceName, tags: [] }]),
    ),
  };
}

function json(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const collector = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/v1/traces')
    return json(response, 404, { error: 'not found' });
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    try {
      storeExport(Buffer.concat(chunks));
      response.writeHead(200, { 'content-type': 'application/x-protobuf' });
      response.end();
    } catch (error) {
      json(response, 400, { error: String(error) });
    }
  });
});

const query = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/' || url.pathname === '/health')
    return json(response, 200, { status: 'ok', spans: spanCount });
  if (url.pathname === '/api/services') {
    const services = new Set([...traces.values()].flat().map((s) => s.serviceName));
    return json(response, 200, { data: [...services].sort() });
  }
  const byId = url.pathname.match(/^\/api\/traces\/([0-9a-f]{32})$/);
  if (byId) {
    const spans = traces.get(byId[1]);
    return spans
      ? json(response, 200, { data: [jaegerTrace(byId[1], spans)] })
      : json(response, 404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] });
  }
  if (url.pathname === '/api/traces') {
    const service = url.searchParams.get('service');
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const found = [...traces]
      .filter(([, spans]) => !service || spans.some((s) => s.serviceName === service))
      .slice(-limit)
      .map(([traceId, spans]) => jaegerTrace(traceId, spans));
    return json(response, 200, { data: found });
  }
  return json(response, 404, { error: 'not found' });
});

collector.listen(4318, '0.0.0.0');
query.listen(16686, '0.0.0.0');
console.log('jaeger stand-in: OTLP/HTTP on :4318, query API on :16686');
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
