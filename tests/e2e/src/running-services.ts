import { randomUUID } from 'node:crypto';

import { createTestDatabase, testInfrastructure, type TestDatabase } from '@ecommerce/test-infra';
import {
  serviceNames,
  startServices,
  type RunningServices,
  type ServiceName,
} from '@ecommerce/system-runner';

export { call } from '@ecommerce/system-runner';
export type { ServiceName };

export interface RunningSystem {
  url(service: ServiceName): string;
  /** Every service instance (for reading each one's metrics). */
  instances: RunningServices['instances'];
  topicPrefix: string;
  stop(): Promise<void>;
}

/**
 * The five services as real processes (`@ecommerce/system-runner`), each with a fresh database,
 * all on one fresh topic prefix, against the run's Kafka, registry and PostgreSQL. With
 * `instances: 2`, every service runs twice on its database, in the same consumer groups. Tests
 * drive them through their REST APIs only.
 */
export async function startSystem(
  settings: Record<string, string> = {},
  { instances = 1 }: { instances?: number } = {},
): Promise<RunningSystem> {
  const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
  const databases: TestDatabase[] = [];
  const dropDatabases = () => Promise.all(databases.map((database) => database.drop()));
  let services: RunningServices;
  try {
    const databaseUrls = {} as Record<ServiceName, string>;
    for (const name of serviceNames) {
      const database = await createTestDatabase(name);
      databases.push(database);
      databaseUrls[name] = database.url;
    }
    services = await startServices({
      kafkaBrokers,
      schemaRegistryUrl,
      databaseUrls,
      topicPrefix: `e2e.${randomUUID().slice(0, 8)}.`,
      partitions: 3,
      instances,
      settings,
    });
  } catch (error) {
    await dropDatabases();
    throw error;
  }
  return {
    topicPrefix: services.topicPrefix,
    instances: services.instances,
    url: (name) => services.url(name),
    stop: async () => {
      await services.stop();
      await dropDatabases();
    },
  };
}

/**
 * The sum of a Prometheus counter over every running instance of `service`, for the series whose
 * labels include `labels` (e.g. `ecommerce_handler_retries_total` of one group and event type).
 */
export async function counterTotal(
  system: RunningSystem,
  service: ServiceName,
  metric: string,
  labels: Record<string, string>,
): Promise<number> {
  let total = 0;
  for (const instance of system.instances.filter((each) => each.name === service && each.running)) {
    const text = await (await fetch(`${instance.url}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${metric}{`)) continue;
      if (Object.entries(labels).every(([name, value]) => line.includes(`${name}="${value}"`))) {
        total += Number(line.split(' ').at(-1));
      }
    }
  }
  return total;
}
