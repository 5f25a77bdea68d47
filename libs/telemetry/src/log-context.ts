import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The business identifiers of the work in progress, added to every log line written inside it
 * (SPEC §7: traceId, correlationId and orderId on every line about an order). One closed list, so
 * every service names the same thing the same way and a log query works across services.
 */
export interface LogContext {
  correlationId?: string;
  causationId?: string;
  eventId?: string;
  eventType?: string;
  orderId?: string;
}

const logContextStorage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to the log context; an enclosing context's other fields are kept. */
export function withLogContext<Result>(fields: LogContext, fn: () => Result): Result {
  return logContextStorage.run({ ...logContextStorage.getStore(), ...fields }, fn);
}

/** The log context of the work in progress; empty outside `withLogContext`. */
export function currentLogContext(): LogContext {
  return logContextStorage.getStore() ?? {};
}
