import {
  call,
  waitFor,
  type CallResult,
  type RunningServices,
  type ServiceName,
} from '@ecommerce/system-runner';

import type { FaultLog } from './fault-log';
import type { InstanceSupervisor } from './instance-supervisor';
import type { KafkaAccess } from './kafka-access';
import type { DeliveryExpectations, PoisonRecord } from './nothing-lost';
import type { PrivateInfrastructure } from './private-infrastructure';
import type { RecordingSmtpServer } from './recording-smtp-server';
import type { CheckRow } from './report';
import type { FaultWindow } from './stall';

/** Everything a fault can reach and what it leaves for the end of the run. */
export interface ChaosRun {
  /** Short id of the run, in the names it gives (skus). */
  readonly id: string;
  readonly topicPrefix: string;
  readonly log: (line: string) => void;
  readonly infra: PrivateInfrastructure;
  readonly system: RunningServices;
  readonly kafka: KafkaAccess;
  readonly mail: RecordingSmtpServer;
  readonly faults: FaultLog;
  readonly instances: InstanceSupervisor;
  /** The services' ADMIN_TOKEN, for their /admin/ API (dead-letter replay). */
  readonly adminToken: string;
  /** Skus the load orders. */
  readonly skus: readonly string[];
  /** Per sku: initial stock plus every accepted adjustment (invariant 2). */
  readonly stockBaseline: Record<string, number>;
  /** What the faults made undeliverable on purpose (invariant 6 does not count it as lost). */
  readonly delivery: DeliveryExpectations & {
    poison: PoisonRecord[];
    deadLetters: { topic: string; partition: number; offset: string }[];
    unpublishable: Set<string>;
  };
  /** Checks a fault leaves for the end of the run, judged once the system is quiet. */
  readonly finalChecks: (() => Promise<CheckRow>)[];
  /** Where a broker was down: the orders in flight then are measured once the system is quiet. */
  readonly faultWindows: FaultWindow[];
  /** Work a fault goes on with while the next faults are injected; the load ends after it. */
  background(work: Promise<unknown>): void;
  /** Runs a fault on a whole dependency (a broker restart, a database crash, latency, resets, a hung registry) alone. */
  dependencyFault<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs a fault whose verdict a fault on a whole dependency would spoil (a database crash ends the
   * session a blackholed relay leader keeps, and so hands its standby the lead): such faults overlap
   * each other, never a dependency fault.
   */
  withSteadyDependencies<T>(work: () => Promise<T>): Promise<T>;
  /** A service's database, reached directly. */
  databaseUrl(service: ServiceName): string;
}

/** A call to a service's /admin/ API with the run's admin token (reads and replays: safe to repeat). */
export function adminCall(
  run: ChaosRun,
  service: ServiceName,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<CallResult> {
  return serviceCall(run, service, method, path, {
    body,
    headers: { authorization: `Bearer ${run.adminToken}` },
    idempotent: true,
  });
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `waitFor` for a fault's probes, which read databases and services that other faults break
 * meanwhile: a probe that throws (PostgreSQL restarting, an instance not listening yet) counts as
 * "not yet", and the last error is in the message at the deadline.
 */
export async function eventually<T>(
  description: string,
  probe: () => Promise<T | undefined | false>,
  { timeoutMs, intervalMs = 500 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  let lastError: unknown;
  try {
    return await waitFor(
      description,
      async () => {
        try {
          return await probe();
        } catch (error) {
          lastError = error;
          return undefined;
        }
      },
      { timeoutMs, intervalMs },
    );
  } catch (error) {
    if (lastError === undefined) throw error;
    throw new Error(
      `${(error as Error).message}; last error: ${(lastError as Error).message ?? String(lastError)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * A request to any running instance of `service`, sent again while it cannot be delivered: an
 * instance may be restarting (refused) under another fault. `idempotent`: any transport failure or
 * 5xx is retried (safe for PUT, GET, a POST with an Idempotency-Key, a replay); otherwise only a
 * refused connection is, as the request then never reached a service.
 */
export async function serviceCall(
  run: ChaosRun,
  service: ServiceName,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  {
    body,
    headers = {},
    idempotent,
  }: { body?: unknown; headers?: Record<string, string>; idempotent: boolean },
): Promise<CallResult> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await call(`${run.system.url(service)}${path}`, method, body, headers, {
        timeoutMs: 15_000,
      });
      if (response.status < 500 || !idempotent || Date.now() > deadline) return response;
    } catch (error) {
      const refused = (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
      if ((!refused && !idempotent) || Date.now() > deadline) throw error;
    }
    await pause(500);
  }
}
