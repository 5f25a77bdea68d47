import { join } from 'node:path';

import { findServiceDatabase } from '@ecommerce/db-tools';
import { freePort } from '@ecommerce/local-infra';

import { ServiceProcess, type RunFrom } from './service-process';

export type ServiceName = 'order' | 'inventory' | 'payment' | 'notification' | 'analytics';
/** Start order: inventory first, since the order service prices from its ProductUpserted events. */
export const serviceNames: readonly ServiceName[] = [
  'inventory',
  'order',
  'payment',
  'notification',
  'analytics',
];

export interface StartServicesOptions {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  /** Each service's database URL (migrated). */
  databaseUrls: Record<ServiceName, string>;
  topicPrefix: string;
  partitions?: number;
  /** Instances per service, all in the same consumer groups, on the same database. */
  instances?: number;
  /** Extra settings for every instance (e.g. `PAYMENT_GATEWAY_LATENCY_MS`). */
  settings?: NodeJS.ProcessEnv;
  /**
   * Settings of one instance (`instance` counts from 0 within its service), applied last: e.g. its
   * own route to Kafka, the registry or its database, through a fault proxy of its own.
   */
  instanceSettings?: (service: ServiceName, instance: number) => NodeJS.ProcessEnv;
  /** How long an instance may take to be ready, at the first start and at each restart. */
  readyTimeoutMs?: number;
  logLevel?: string;
  /**
   * Run every instance under `node --cpu-prof`, writing to `<dir>/<service>-<n>/` (n from 1). A
   * profile is written when the process exits, so only on a clean exit (`stop()`, not `kill()`).
   */
  cpuProfileDir?: string;
  /** Source through tsx (default) or the built bundles: see `ServiceProcessOptions.runFrom`. */
  runFrom?: RunFrom;
}

export interface RunningServices {
  readonly topicPrefix: string;
  /** Every instance, in start order. */
  readonly instances: readonly ServiceProcess[];
  instancesOf(service: ServiceName): ServiceProcess[];
  /** A running instance's base URL; calls rotate over them, so any instance must serve any request. */
  url(service: ServiceName): string;
  stop(): Promise<void>;
}

/**
 * The five services as real processes against the given Kafka, registry and databases. The first
 * instance of each service starts alone, one after the other: the very first registers the schemas
 * and creates the topics (every service does, for all of them), and each creates its service's
 * dead-letter topics, which two instances creating at once can fail on ("This server does not host
 * this topic-partition" while the new topic has no leader yet). The further instances then start
 * together, which saves much of the start-up time.
 */
export async function startServices(options: StartServicesOptions): Promise<RunningServices> {
  const { instances: perService = 1, partitions = 3, logLevel = 'warn' } = options;
  const instances: ServiceProcess[] = [];
  const stop = () => Promise.all(instances.map((instance) => instance.stop())).then(() => undefined);
  const newInstance = async (service: ServiceName) => {
    const index = instances.filter((instance) => instance.name === service).length;
    const profileDir = options.cpuProfileDir && join(options.cpuProfileDir, `${service}-${index + 1}`);
    const instance = new ServiceProcess({
      service,
      instance: index,
      port: await freePort(),
      env: {
        LOG_LEVEL: logLevel,
        KAFKA_BROKERS: options.kafkaBrokers,
        SCHEMA_REGISTRY_URL: options.schemaRegistryUrl,
        TOPIC_PREFIX: options.topicPrefix,
        KAFKA_TOPIC_PARTITIONS: String(partitions),
        [findServiceDatabase(service).databaseUrlVariable]: options.databaseUrls[service],
        ...options.settings,
        ...options.instanceSettings?.(service, index),
      },
      ...(options.readyTimeoutMs !== undefined && { readyTimeoutMs: options.readyTimeoutMs }),
      ...(profileDir && { nodeArguments: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }),
      ...(options.runFrom && { runFrom: options.runFrom }),
    });
    instances.push(instance);
    return instance;
  };
  try {
    const further = serviceNames.flatMap((service) => Array<ServiceName>(perService - 1).fill(service));
    for (const wave of [...serviceNames.map((service) => [service]), further]) {
      const starting: ServiceProcess[] = [];
      for (const service of wave) starting.push(await newInstance(service));
      // Settled, not all: every start has ended (and is tracked for stop) before a failure is reported.
      const starts = await Promise.allSettled(starting.map((instance) => instance.start()));
      const failed = starts.find((start) => start.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (error) {
    await stop();
    throw error;
  }
  let calls = 0;
  const instancesOf = (service: ServiceName) => instances.filter((instance) => instance.name === service);
  return {
    topicPrefix: options.topicPrefix,
    instances,
    instancesOf,
    url(service) {
      const running = instancesOf(service).filter((instance) => instance.running);
      const instance = running[calls++ % Math.max(running.length, 1)];
      if (!instance) throw new Error(`no running ${service}-service instance`);
      return instance.url;
    },
    stop,
  };
}
