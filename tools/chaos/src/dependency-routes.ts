import { FaultProxy, type FaultMode } from '@ecommerce/fault-proxy';
import { freePort, type KafkaProxiedListener } from '@ecommerce/local-infra';
import type { ServiceName } from '@ecommerce/system-runner';

/** One service instance, as the run names it: `order-service#0`. */
export interface InstanceRef {
  service: ServiceName;
  index: number;
}

export function instanceLabel({ service, index }: InstanceRef): string {
  return `${service}-service#${index}`;
}

/**
 * An instance's own routes to PostgreSQL and to Kafka, each through a fault proxy of its own. No
 * Kafka route on a cluster: the instances reach its brokers directly (see `needsOneBroker`).
 */
export interface InstanceRoutes {
  readonly postgres: FaultProxy;
  readonly kafka: FaultProxy | undefined;
}

export type Dependency = 'postgres' | 'kafka' | 'registry';

const LOOPBACK = '127.0.0.1';

/** Said by whatever asks for a Kafka route of a run that has none. */
export const NO_KAFKA_ROUTES =
  'the instances reach the Kafka cluster directly: there is no Kafka route to fault';

/**
 * Every route from a service instance to PostgreSQL, Kafka and the schema registry goes through a
 * TCP fault proxy the run owns (`@ecommerce/fault-proxy`). No fault-injection proxy (toxiproxy and
 * the like) can be installed on the build machines, so the suite has its own small one; see
 * INFRA-NOTES. One proxy per instance for PostgreSQL and Kafka, so a fault can cut one instance
 * (the outbox relay's leader, an instance whose first publish must fail) while the others go on;
 * one for the registry, which every instance shares, as a registry that hangs hangs for everyone.
 *
 * Kafka clients bootstrap, then connect to the addresses the broker advertises: each instance's
 * Kafka proxy sits in front of a listener of its own that advertises the proxy's address, so the
 * instance never learns a direct route (`kafkaProxiedListeners` of infra/local).
 */
export class DependencyRoutes {
  private readonly postgresRoutes = new Map<string, FaultProxy>();
  private registryRoute: FaultProxy | undefined;

  private constructor(
    private readonly labels: readonly string[],
    /** Empty when the instances reach Kafka directly (a cluster). */
    private readonly kafkaRoutes: ReadonlyMap<string, { proxy: FaultProxy; listener: KafkaProxiedListener }>,
  ) {}

  /**
   * Opens each instance's Kafka proxy before the broker starts (the broker's configuration names
   * their ports); `kafkaListeners` is what the broker must listen on and advertise. With
   * `proxyKafka` false (a cluster), no Kafka route is opened: the instances reach the brokers directly.
   */
  static async forInstances(
    instances: readonly InstanceRef[],
    { proxyKafka }: { proxyKafka: boolean },
  ): Promise<DependencyRoutes> {
    const labels = instances.map(instanceLabel);
    const kafka = new Map<string, { proxy: FaultProxy; listener: KafkaProxiedListener }>();
    if (!proxyKafka) return new DependencyRoutes(labels, kafka);
    try {
      for (const instance of instances) {
        const port = await freePort();
        // The proxy's port comes from freePort as well: until the broker starts, the listener's port
        // is free, and a port the OS picked for the proxy could be that very one.
        const proxy = await FaultProxy.start({
          target: { host: LOOPBACK, port },
          listen: { port: await freePort() },
        });
        kafka.set(instanceLabel(instance), {
          proxy,
          listener: {
            name: `${instance.service.toUpperCase()}_${instance.index}`,
            port,
            advertisedPort: proxy.port,
          },
        });
      }
    } catch (error) {
      await Promise.all([...kafka.values()].map(({ proxy }) => proxy.stop()));
      throw error;
    }
    return new DependencyRoutes(labels, kafka);
  }

  get kafkaListeners(): KafkaProxiedListener[] {
    return [...this.kafkaRoutes.values()].map(({ listener }) => listener);
  }

  /** Opens the PostgreSQL proxies (one per instance) and the registry's, once both servers are known. */
  async connect(postgresPort: number, registryPort: number): Promise<void> {
    for (const label of this.labels) {
      this.postgresRoutes.set(
        label,
        await FaultProxy.start({ target: { host: LOOPBACK, port: postgresPort } }),
      );
    }
    this.registryRoute = await FaultProxy.start({ target: { host: LOOPBACK, port: registryPort } });
  }

  of(instance: InstanceRef | string): InstanceRoutes {
    const label = typeof instance === 'string' ? instance : instanceLabel(instance);
    const postgres = this.postgresRoutes.get(label);
    if (!postgres) throw new Error(`no routes for ${label}`);
    return { kafka: this.kafkaRoutes.get(label)?.proxy, postgres };
  }

  get registry(): FaultProxy {
    if (!this.registryRoute) throw new Error('the registry route is not open yet');
    return this.registryRoute;
  }

  /** Every instance's route to `dependency` (the one shared route, for the registry). */
  all(dependency: Dependency): FaultProxy[] {
    if (dependency === 'registry') return [this.registry];
    if (dependency === 'kafka') {
      // An empty list would let a Kafka-route fault "pass" without touching anything.
      if (this.kafkaRoutes.size === 0) throw new Error(NO_KAFKA_ROUTES);
      return [...this.kafkaRoutes.values()].map(({ proxy }) => proxy);
    }
    return [...this.postgresRoutes.values()];
  }

  async stop(): Promise<void> {
    await Promise.all(
      [
        ...[...this.kafkaRoutes.values()].map(({ proxy }) => proxy),
        ...this.postgresRoutes.values(),
        ...(this.registryRoute ? [this.registryRoute] : []),
      ].map((proxy) => proxy.stop()),
    );
  }
}

/**
 * Sets `mode` on `routes` for `forMs`, then heals them. A blackhole heals with every connection
 * reset first: its lost bytes are gone for good (the proxy drops them), so the connections it held
 * are broken, as after a long partition in which both ends gave up on them.
 */
export async function withRouteFault(
  routes: readonly FaultProxy[],
  mode: FaultMode,
  during: () => Promise<void>,
): Promise<void> {
  await Promise.all(routes.map((route) => route.setMode(mode)));
  try {
    await during();
  } finally {
    if (mode.kind === 'blackhole') for (const route of routes) route.resetAll();
    await Promise.all(routes.map((route) => route.setMode({ kind: 'pass' })));
  }
}
