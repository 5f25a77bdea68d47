import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';

import { currentLogContext, type LogContext } from './log-context';

interface CorrelationFields extends LogContext {
  traceId?: string;
  spanId?: string;
}

/** The active span's ids (a line links to its trace) and the log context, computed per line. */
function correlationFields(): CorrelationFields {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return currentLogContext();
  return { ...currentLogContext(), traceId: spanContext.traceId, spanId: spanContext.spanId };
}

/**
 * JSON logs, one object per line, with the service's name on every line and, on lines written
 * inside a span or a log context, `traceId`, `spanId` and the context's fields. Fields passed to a
 * log call win over these. `destination` is stdout unless a test captures the lines.
 */
export function createLogger(serviceName: string, level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { service: serviceName }, mixin: correlationFields }, destination);
}
