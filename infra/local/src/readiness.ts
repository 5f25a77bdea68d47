import { isProcessAlive, sleep } from './detached-process';
import { LocalInfraError } from './local-infra-error';
import { tailOfFile } from './log-tail';

/** One readiness attempt: ready, or why not yet (kept so a timeout can say what last went wrong). */
export type ProbeResult = { readonly ready: true } | { readonly ready: false; readonly reason: string };

export interface ReadinessWait {
  /** Human name of the part, e.g. "Kafka broker". */
  readonly label: string;
  readonly pid: number;
  readonly logFile: string;
  readonly timeoutMs: number;
  readonly probe: () => Promise<ProbeResult>;
  /** Aborted when a sibling step of `up` failed: stop waiting, rethrowing the abort reason. */
  readonly signal: AbortSignal;
}

/**
 * Polls `probe` until it reports ready. Fails early if the process dies (a port clash or bad config
 * kills a JVM within seconds, no need to sit out the deadline), and otherwise at the deadline; both
 * messages name the part and point at its log.
 */
export async function waitUntilReady(wait: ReadinessWait): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    wait.signal.throwIfAborted();
    const result = await wait.probe();
    if (result.ready) return;
    if (!isProcessAlive(wait.pid)) {
      throw new LocalInfraError(
        `${wait.label} (pid ${wait.pid}) exited during startup. See ${wait.logFile}; its last lines:\n` +
          tailOfFile(wait.logFile, 20),
      );
    }
    if (Date.now() >= deadline) {
      throw new LocalInfraError(
        `${wait.label} (pid ${wait.pid}) was not ready after ${Math.round(wait.timeoutMs / 1000)} s ` +
          `(last check: ${result.reason}). See ${wait.logFile}; its last lines:\n${tailOfFile(wait.logFile, 20)}`,
      );
    }
    await sleep(500);
  }
}
