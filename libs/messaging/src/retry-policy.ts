export interface RetryPolicy {
  /** Attempts in all, the first one included; after the last, the message is dead-lettered. */
  maxAttempts: number;
  /** Upper bound of the first retry's delay; it doubles with each retry up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 };

/**
 * Delay before retry number `retry` (1 for the first retry): exponential backoff with full jitter,
 * a uniformly random delay in [0, min(max, initial * 2^(retry-1))], so consumers that failed
 * together do not retry together.
 */
export function backoffDelayMs(
  policy: RetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** What a consumer does after a failed try of one message. */
export type NextStep =
  | {
      action: 'retry';
      /** Why: an outage (spends no attempt), a wait within the error's window (none either), or a failure. */
      because: 'outage' | 'waiting' | 'failure';
      /** The retry's number within its kind, which sets the backoff. */
      retry: number;
      delayMs: number;
    }
  | { action: 'dead-letter'; attempts: number };

/**
 * The retry budget of one message. Only failures of the message's handling spend its attempts:
 * - an outage (`isOutage`: the database or the registry unreachable) is retried for as long as
 *   it lasts, since nothing is wrong with the message;
 * - a failure that says it clears by itself (`retryForMs`) is retried for that long, counted from
 *   its first occurrence, then spends attempts like any other;
 * - anything else spends one attempt; after the last, or at once when it is permanent
 *   (`retriable: false`), the message is dead-lettered.
 * Every retry waits `backoffDelayMs` of its own count, so a long outage retries every
 * `maxDelayMs` at most.
 */
export class RetryBudget {
  private failures = 0;
  private outages = 0;
  private waits = 0;
  private waitingSince: number | undefined;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly classify: {
      isOutage(error: unknown): boolean;
      isRetriable(error: unknown): boolean;
      selfClearingWindowMs(error: unknown): number | undefined;
    },
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  afterFailure(error: unknown): NextStep {
    if (this.classify.isOutage(error)) return this.retry('outage', (this.outages += 1));
    const window = this.classify.selfClearingWindowMs(error);
    if (window !== undefined) {
      this.waitingSince ??= this.now();
      if (this.now() - this.waitingSince < window) return this.retry('waiting', (this.waits += 1));
    }
    this.failures += 1;
    if (!this.classify.isRetriable(error) || this.failures >= this.policy.maxAttempts) {
      return { action: 'dead-letter', attempts: this.failures };
    }
    return this.retry('failure', this.failures);
  }

  private retry(because: 'outage' | 'waiting' | 'failure', retry: number): NextStep {
    return { action: 'retry', because, retry, delayMs: backoffDelayMs(this.policy, retry, this.random) };
  }
}
