import { isDatabaseUnavailable, isNetworkFailure } from '@ecommerce/database';

/**
 * A failure that retrying cannot fix (a message that cannot be decoded, an event that violates
 * its contract, a handler's explicit rejection): the consumer dead-letters it at once.
 */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
  readonly retriable = false;

  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Errors say they are permanent with `retriable: false` (as PermanentFailure and the contracts' errors do). */
export function isRetriable(error: unknown): boolean {
  return (error as { retriable?: unknown } | null)?.retriable !== false;
}

/** The stable code of an error, for the dead-letter headers and metrics. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'UNKNOWN';
}

/**
 * An outage of what the handler depends on (its database, or a server reached over the network,
 * such as the schema registry), not a fault of the event: retrying after it ends succeeds. The
 * consumer keeps retrying through an outage without spending the event's attempts, so a database
 * restart delays events and dead-letters none. Errors can say so themselves: `outage: true` (as
 * the contracts' SchemaRegistryUnreachableError does), or `outage: false` for a failure that must
 * spend attempts even though a network error caused it (notification's MailNotSentError: SPEC 2
 * dead-letters a mail the server would not take rather than hold the partition for it).
 */
export function isOutage(error: unknown): boolean {
  const says = (error as { outage?: unknown } | null)?.outage;
  if (typeof says === 'boolean') return says;
  return isDatabaseUnavailable(error) || isNetworkFailure(error);
}

/**
 * How long a failure may be expected to clear by itself, when the error says so with
 * `retryForMs` (an event that depends on another consumer catching up first, as a payment waits
 * for its order's OrderPlaced): the consumer keeps retrying it for that long, from the first such
 * failure, without spending the message's attempts. Undefined for every other error.
 */
export function selfClearingWindowMs(error: unknown): number | undefined {
  const window = (error as { retryForMs?: unknown } | null)?.retryForMs;
  return typeof window === 'number' && window > 0 ? window : undefined;
}
