/**
 * A service that starts together with a fresh broker (`docker compose up`, a chaos restart) can
 * ask for a topic that another client has just created, or join a group before the broker has
 * made `__consumer_offsets`: the broker answers "not yet" (UNKNOWN_TOPIC_OR_PARTITION,
 * COORDINATOR_NOT_AVAILABLE, ...), and kafkajs gives up after its own few retries. Start-up steps
 * go through this instead, so that such a service waits for the cluster to settle rather than
 * exiting and being restarted. Anything kafkajs does not mark retriable fails at once.
 */
export async function untilClusterSettles<T>(
  step: string,
  run: () => Promise<T>,
  {
    timeoutMs = 90_000,
    initialDelayMs = 500,
    maxDelayMs = 5_000,
    isRetriable = isRetriableKafkaError,
  }: {
    timeoutMs?: number;
    initialDelayMs?: number;
    maxDelayMs?: number;
    /** Which failures mean "not settled yet"; kafkajs's retriable errors unless said otherwise. */
    isRetriable?: (error: unknown) => boolean;
  } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = initialDelayMs; ; delay = Math.min(delay * 2, maxDelayMs)) {
    try {
      return await run();
    } catch (error) {
      if (!isRetriable(error) || Date.now() + delay > deadline) {
        throw error instanceof Error ? error : new Error(`${step}: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * kafkajs marks transient protocol and connection errors `retriable`; when its own retries run
 * out it throws KafkaJSNumberOfRetriesExceeded (not retriable itself) around the last one.
 */
export function isRetriableKafkaError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as { retriable?: unknown; originalError?: unknown; cause?: unknown };
    if (candidate.retriable === true) return true;
    current = candidate.originalError ?? candidate.cause;
  }
  return false;
}
