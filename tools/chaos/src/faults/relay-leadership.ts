import { type ServiceName, type ServiceProcess } from '@ecommerce/system-runner';

import { eventually, type ChaosRun } from '../chaos-run';
import { outboxRows, relayLeader } from '../service-databases';

export interface Leadership {
  instance: ServiceProcess;
  /** When its relay's session began, which is when it took the lead. */
  since: Date;
}

/**
 * The instance whose outbox relay leads for `service` now: its session holds the relay's lock, and
 * each instance runs with its label as PGAPPNAME. Undefined between two leaders.
 */
export async function currentLeader(run: ChaosRun, service: ServiceName): Promise<Leadership | undefined> {
  const leader = await relayLeader(run.databaseUrl(service));
  const instance = run.system.instancesOf(service).find((i) => i.label === leader?.applicationName);
  return leader && instance && { instance, since: leader.since };
}

/** Waits for a leader of `service` (other than `other`, when given). */
export async function leadingInstance(
  run: ChaosRun,
  service: ServiceName,
  { timeoutMs = 30_000, other }: { timeoutMs?: number; other?: ServiceProcess } = {},
): Promise<Leadership> {
  return eventually(
    `a relay leader of ${service}-service${other ? ` other than ${other.label}` : ''}`,
    async () => {
      const leadership = await currentLeader(run, service);
      return leadership?.instance === other ? undefined : leadership;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** Rows of `service`'s outbox neither published nor quarantined that were written before `before`. */
export async function waitingRows(run: ChaosRun, service: ServiceName, before: Date): Promise<number> {
  const rows = (await outboxRows(run.databaseUrl(service))) ?? [];
  return rows.filter(
    (row) =>
      !row.published &&
      !row.quarantined &&
      !run.delivery.unpublishable.has(row.eventId) &&
      row.createdAt < before,
  ).length;
}

/**
 * How many events the instance's process has published since it started (its
 * `ecommerce_events_published_total`): 0 means its relay's producer has never sent anything.
 */
export async function eventsPublishedBy(instance: ServiceProcess): Promise<number> {
  const response = await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${instance.label}'s /metrics answered ${response.status}`);
  return (await response.text())
    .split('\n')
    .filter((line) => line.startsWith('ecommerce_events_published_total'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}
