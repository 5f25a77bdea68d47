import { pause, type ChaosRun } from '../chaos-run';
import { withRouteFault, type Dependency } from '../dependency-routes';

const DEPENDENCY_NAMES: Record<Dependency, string> = {
  postgres: 'PostgreSQL',
  kafka: 'Kafka',
  registry: 'the schema registry',
};

/**
 * Every route to `dependency` delays each chunk by `delayMs`, each way, for `forMs` (a slower
 * network, a dependency under load): the system must only slow down. Runs in the background.
 */
export function dependencyLatency(
  run: ChaosRun,
  { dependency, delayMs, forMs }: { dependency: Dependency; delayMs: number; forMs: number },
): void {
  run.background(
    run.dependencyFault(() =>
      run.faults.inject('dependency-latency', DEPENDENCY_NAMES[dependency], async () => {
        const routes = run.infra.routes.all(dependency);
        await withRouteFault(routes, { kind: 'delay', ms: delayMs }, () => pause(forMs));
        return `+${delayMs} ms each way on ${routes.length} route(s) for ${forMs / 1000}s`;
      }),
    ),
  );
}

/**
 * Every connection on every route to `dependency` reset at once (a network blip, a NAT or load
 * balancer dropping its table): clients must reconnect and retry without losing or repeating work.
 */
export async function connectionsReset(run: ChaosRun, dependency: Dependency): Promise<void> {
  await run.dependencyFault(() =>
    run.faults.inject('connections-reset', DEPENDENCY_NAMES[dependency], async () => {
      const routes = run.infra.routes.all(dependency);
      const open = routes.reduce((sum, route) => sum + route.openConnections, 0);
      for (const route of routes) route.resetAll();
      return `${open} open connection(s) reset on ${routes.length} route(s)`;
    }),
  );
}
