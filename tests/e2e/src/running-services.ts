import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { createTestDatabase, testInfrastructure, type TestDatabase } from '@ecommerce/test-infra';
import { freePort } from '@ecommerce/local-infra';
import {
  ServiceProcess,
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
  /** The order console's URL, when started with `console: true`. */
  consoleUrl: string | undefined;
  /** A service's database, for tests that inject a fault there (a lock held by another session). */
  databaseUrl(service: ServiceName): string;
  stop(): Promise<void>;
}

/**
 * Where each system's processes leave what they printed (warnings and errors: `LOG_LEVEL=warn`),
 * one folder per topic prefix, on the machine that ran the tests: a suite that failed on a busy
 * machine is explained from these, not by running it again until it fails.
 */
const OUTPUT_DIR = join(__dirname, '..', 'results', 'services');

function keepOutput(topicPrefix: string, processes: readonly ServiceProcess[]): void {
  const dir = join(OUTPUT_DIR, topicPrefix.replace(/\.$/, ''));
  mkdirSync(dir, { recursive: true });
  for (const each of processes) writeFileSync(join(dir, `${each.label}.log`), each.output());
}

/**
 * The five services as real processes (`@ecommerce/system-runner`), each with a fresh database,
 * all on one fresh topic prefix, against the run's Kafka, registry and PostgreSQL. With
 * `instances: 2`, every service runs twice on its database, in the same consumer groups. Tests
 * drive them through their REST APIs only.
 */
export async function startSystem(
  settings: Record<string, string> = {},
  { instances = 1, console: withConsole = false }: { instances?: number; console?: boolean } = {},
): Promise<RunningSystem> {
  const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
  const databases: TestDatabase[] = [];
  const dropDatabases = () => Promise.all(databases.map((database) => database.drop()));
  let services: RunningServices;
  let orderConsole: ServiceProcess | undefined;
  const databaseUrls = {} as Record<ServiceName, string>;
  try {
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
    if (withConsole) {
      orderConsole = new ServiceProcess({
        service: 'order-console',
        app: 'order-console',
        port: await freePort(),
        env: {
          LOG_LEVEL: 'warn',
          KAFKA_BROKERS: kafkaBrokers,
          SCHEMA_REGISTRY_URL: schemaRegistryUrl,
          TOPIC_PREFIX: services.topicPrefix,
          KAFKA_TOPIC_PARTITIONS: '3',
          CONSOLE_ORDER_SERVICE_URL: services.url('order'),
          CONSOLE_CLUSTER_POLL_MS: '1000',
        },
      });
      await orderConsole.start().catch(async (error: unknown) => {
        await services.stop();
        throw error;
      });
    }
  } catch (error) {
    await orderConsole?.stop();
    await dropDatabases();
    throw error;
  }
  return {
    topicPrefix: services.topicPrefix,
    instances: services.instances,
    url: (name) => services.url(name),
    consoleUrl: orderConsole?.url,
    databaseUrl: (name) => databaseUrls[name],
    stop: async () => {
      await orderConsole?.stop();
      await services.stop();
      keepOutput(services.topicPrefix, [...services.instances, ...(orderConsole ? [orderConsole] : [])]);
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
