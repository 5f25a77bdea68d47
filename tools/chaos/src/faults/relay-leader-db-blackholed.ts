import type { ServiceName } from '@ecommerce/system-runner';

import { eventually, type ChaosRun } from '../chaos-run';
import { withRouteFault } from '../dependency-routes';
import { outboxRows } from '../service-databases';
import { currentLeader, leadingInstance } from './relay-leadership';

/**
 * The outbox relay leader's route to PostgreSQL goes silent (a blackhole: connections stay open and
 * nothing passes either way), as a half-open connection or a partition leaves it: the leader's
 * session keeps the relay's lock on the server's side, and nothing tells either end. A standby of
 * the same service must publish within `takeoverWithinMs` (issue 10, defect 7: the relay's
 * connection needs keepalive and timeouts, or standbys wait for PostgreSQL's TCP keepalive, ~2 h).
 * The whole instance is cut from its database, its consumers and API too, as a partition would.
 * The route heals once a standby published, or at the bound: every connection of it reset, as after
 * a partition both ends gave up on. Runs in the background, within the service's turn, isolated
 * from faults on whole dependencies (a database crash would end the leader's session for it).
 */
export function relayLeaderDbBlackholed(
  run: ChaosRun,
  { service, takeoverWithinMs }: { service: ServiceName; takeoverWithinMs: number },
): void {
  run.background(
    run.instances.turn(service, () =>
      run.withSteadyDependencies(() =>
        run.faults.inject('relay-leader-db-blackholed', `${service}-service relay leader`, async () => {
          const { instance: leader } = await leadingInstance(run, service);
          const cutAt = Date.now();
          let takeover: { by: string; afterSeconds: number } | undefined;
          await withRouteFault(
            [run.infra.routes.of(leader.label).postgres],
            { kind: 'blackhole' },
            async () => {
              takeover = await eventually(
                `a standby of ${service}-service to publish`,
                async () => {
                  const next = await currentLeader(run, service);
                  if (!next || next.instance === leader) return undefined;
                  const rows = (await outboxRows(run.databaseUrl(service))) ?? [];
                  const published = rows.some(
                    (row) => row.publishedAt !== null && row.publishedAt.getTime() > cutAt,
                  );
                  return published && { by: next.instance.label, afterSeconds: (Date.now() - cutAt) / 1000 };
                },
                { timeoutMs: takeoverWithinMs, intervalMs: 500 },
              ).catch(() => undefined);
            },
          );
          if (!takeover) {
            throw new Error(
              `no standby published within ${takeoverWithinMs / 1000}s of ${leader.label}'s cut; the route healed then`,
            );
          }
          return `${leader.label} cut from PostgreSQL; ${takeover.by} led and published ${takeover.afterSeconds.toFixed(0)}s later (bound ${takeoverWithinMs / 1000}s)`;
        }),
      ),
    ),
  );
}
