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
