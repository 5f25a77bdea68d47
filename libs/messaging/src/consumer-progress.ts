/**
 * What a consumer's watchdog judges: when one run of a kafkajs consumer last made progress, and
 * which handler attempts are in flight. One instance per run, so a run that was given up (its
 * handler hung) cannot make its successor look stuck.
 *
 * Progress is something completed: a fetch answered (with or without messages), a heartbeat
 * answered, a batch started or finished, a group joined, a message's attempt finished or a retry
 * scheduled. Starting a fetch is not progress: a fetch on a connection that never answers starts
 * and never ends, which is the hang of kafkajs issue #659.
 *
 * A consumer is stalled when:
 * - a handler attempt has run for longer than the window (a handler that never returns: the
 *   consumer heartbeats while a handler runs, so nobody else would ever notice), or
 * - no attempt is in flight and nothing progressed for longer than the window (the fetch loop,
 *   a join or a commit hangs).
 * A message waiting between attempts (a retry backoff, an outage that lasts) is not stalled: the
 * wait is chosen and bounded by the retry policy (`maxDelayMs`), and the heartbeats during it are
 * progress. An outage is waited out for as long as it lasts, by design: restarting would not end
 * it, and the readiness check of the dependency itself fails meanwhile.
 */
export class ConsumerProgress {
  private lastProgressAt: number;
  private readonly attemptsInFlight = new Set<{ startedAt: number }>();

  constructor(private readonly now: () => number = Date.now) {
    this.lastProgressAt = now();
  }

  progressed(): void {
    this.lastProgressAt = this.now();
  }

  /** Runs one handler attempt (or anything else that may hang) as an attempt in flight. */
  async attempt<T>(work: () => Promise<T>): Promise<T> {
    const attempt = { startedAt: this.now() };
    this.attemptsInFlight.add(attempt);
    try {
      return await work();
    } finally {
      this.attemptsInFlight.delete(attempt);
      this.progressed();
    }
  }

  /** Why the consumer is stalled after `windowMs`, or undefined while it is not. */
  stall(windowMs: number): string | undefined {
    const now = this.now();
    let oldestAttempt: number | undefined;
    for (const { startedAt } of this.attemptsInFlight)
      oldestAttempt = Math.min(oldestAttempt ?? startedAt, startedAt);
    if (oldestAttempt !== undefined) {
      return now - oldestAttempt > windowMs
        ? `a handler attempt has been running for ${now - oldestAttempt} ms`
        : undefined;
    }
    return now - this.lastProgressAt > windowMs
      ? `no fetch, heartbeat, batch or group join completed for ${now - this.lastProgressAt} ms`
      : undefined;
  }
}
