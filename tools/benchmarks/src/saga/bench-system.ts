import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createDatabaseIfMissing, databaseUrlOnServer, dropDatabase } from '@ecommerce/database';
import { findServiceDatabase, migrateServiceDatabase } from '@ecommerce/db-tools';
import { freePort, localInfraDown, localInfraUp, type LocalInfraOptions } from '@ecommerce/local-infra';
import { createKafka, parseBrokers, withKafkaAdmin, type Kafka } from '@ecommerce/messaging';
import {
  call,
  serviceNames,
  startServices,
  waitFor,
  type RunFrom,
  type RunningServices,
  type ServiceName,
} from '@ecommerce/system-runner';
import { infrastructureFromEnvironment, type TestInfrastructure } from '@ecommerce/test-infra';
import { Pool } from 'pg';

import type { Cleanup } from './cleanup';

export interface BenchSystem {
  runId: string;
  topicPrefix: string;
  kafka: Kafka;
  kafkaBrokers: string;
  /** What the services create their topics with; the Kafka reference uses it too. */
  kafkaReplicationFactor: number;
  /** True when the run started a Kafka of its own (`--brokers`). */
  ownKafka: boolean;
  schemaRegistryUrl: string;
  /** Server URL to create and drop scratch databases. */
  postgresAdminUrl: string;
  databaseUrls: Record<ServiceName, string>;
  services: RunningServices;
  skus: readonly string[];
}

/** Enough products that reservations rarely queue on one stock row, enough stock never to run out. */
const SKU_COUNT = 50;
const STOCK_PER_SKU = 1_000_000;

/**
 * Builds the five services' esbuild bundles (`nx run-many -t build`: from its cache when nothing
 * changed), so that a run from bundles measures the code as it is, never a stale build.
 */
export function buildServiceBundles(): void {
  const projects = serviceNames.map((service) => `${service}-service`).join(',');
  console.log(`building the bundles: nx run-many -t build -p ${projects}`);
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', projects, '--outputStyle=static'], {
    cwd: join(__dirname, '..', '..', '..', '..'),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (build.error) throw build.error;
  if (build.status !== 0) throw new Error(`building the service bundles failed (exit ${build.status})`);
}

/**
 * The infrastructure (the shared local one, started only if nothing runs; or, with
 * `kafkaBrokers`, a Kafka and registry of the run's own), five fresh migrated databases, a fresh
 * topic prefix, the services as processes and a seeded catalog the order service already prices
 * from. Everything created here is registered with `cleanup`.
 */
export async function startBenchSystem(
  {
    instances,
    partitions,
    kafkaBrokers,
    cpuProfileDir,
    runFrom,
  }: {
    instances: number;
    partitions: number;
    /** Kafka nodes of a Kafka the run starts for itself (see `SagaBenchFlags`). */
    kafkaBrokers?: number;
    /** Run the services under `node --cpu-prof`, one sub-folder of this per process. */
    cpuProfileDir?: string;
    runFrom: RunFrom;
  },
  cleanup: Cleanup,
): Promise<BenchSystem> {
  const runId = randomBytes(4).toString('hex');
  const databaseNames = Object.fromEntries(serviceNames.map((s) => [s, `bench_${runId}_${s}`])) as Record<
    ServiceName,
    string
  >;
  let postgresAdminUrl: string | undefined;
  // Registered before `up`, which creates the databases: a failure half-way still drops them.
  cleanup.add('drop the benchmark databases', async () => {
    if (!postgresAdminUrl) return;
    for (const name of Object.values(databaseNames)) await dropDatabase(postgresAdminUrl, name);
  });
  const migrate = async (urls: Record<string, string>) => {
    for (const service of serviceNames) {
      const url = urls[databaseNames[service]];
      if (!url) throw new Error(`no database ${databaseNames[service]} was created`);
      postgresAdminUrl ??= databaseUrlOnServer(url, 'postgres');
      await migrateServiceDatabase(findServiceDatabase(service), url);
    }
  };
  const given = infrastructureFromEnvironment();
  const databases = Object.values(databaseNames);
  const infra =
    kafkaBrokers !== undefined
      ? await startOwnKafka(kafkaBrokers, given?.postgresUrl, databases, migrate, cleanup)
      : given
        ? await useGivenInfrastructure(given, databases, migrate)
        : await localInfraUp({ databases, afterDatabasesReady: migrate });
  if (infra.startedNow && kafkaBrokers === undefined) {
    // Only what this run started: shared infrastructure that was already up stays up.
    cleanup.add('stop the infrastructure this run started', async () => {
      await localInfraDown();
    });
  }
  const databaseUrls = Object.fromEntries(
    serviceNames.map((s) => [s, infra.databaseUrls[databaseNames[s]]]),
  ) as Record<ServiceName, string>;
  const topicPrefix = `bench.${runId}.`;
  const kafka = createKafka({ clientId: `bench-${runId}`, brokers: parseBrokers(infra.kafkaBrokers) });
  cleanup.add(`delete the topics ${topicPrefix}*`, () => deleteTopics(kafka, topicPrefix));

  const services = await startServices({
    kafkaBrokers: infra.kafkaBrokers,
    schemaRegistryUrl: infra.schemaRegistryUrl,
    databaseUrls,
    topicPrefix,
    partitions,
    instances,
    settings: { KAFKA_REPLICATION_FACTOR: String(infra.kafkaReplicationFactor) },
    // Generous: on a loaded machine ten processes starting together can take minutes.
    readyTimeoutMs: 180_000,
    ...(cpuProfileDir !== undefined && { cpuProfileDir }),
    runFrom,
  });
  cleanup.add('stop the services', () => services.stop());
  const skus = await seedCatalog(services, databaseUrls.order, runId);
  return {
    runId,
    topicPrefix,
    kafka,
    kafkaBrokers: infra.kafkaBrokers,
    kafkaReplicationFactor: infra.kafkaReplicationFactor,
    ownKafka: kafkaBrokers !== undefined,
    schemaRegistryUrl: infra.schemaRegistryUrl,
    postgresAdminUrl: required(postgresAdminUrl, 'the PostgreSQL server URL'),
    databaseUrls,
    services,
    skus,
  };
}

/**
 * A Kafka of `nodes` nodes and a registry of the run's own (infra/local with a private state folder
 * and free ports), on the PostgreSQL server of the tests' environment or infra/local's default, so
 * that a replication factor can be measured against another back to back, each on a Kafka that
 * only the benchmark uses. Stopped, and its data deleted, by `cleanup`.
 */
async function startOwnKafka(
  nodes: number,
  postgresAdminUrl: string | undefined,
  databases: readonly string[],
  migrate: (urls: Record<string, string>) => Promise<void>,
  cleanup: Cleanup,
) {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-kafka-'));
  const ports = () => Promise.all(Array.from({ length: nodes }, () => freePort()));
  const options: LocalInfraOptions = {
    stateDir,
    kafkaBrokerCount: nodes,
    kafkaPort: await ports(),
    kafkaControllerPort: await ports(),
    schemaRegistryPort: await freePort(),
    ...(postgresAdminUrl !== undefined && { postgresAdminUrl }),
    databases,
    afterDatabasesReady: migrate,
  };
  // Before `up`: an `up` that fails half-way stops what it started, but leaves the folder.
  cleanup.add(`stop the run's own Kafka (${nodes} node(s)) and registry`, async () => {
    await localInfraDown(options);
    await rm(stateDir, { recursive: true, force: true });
  });
  return localInfraUp(options);
}

/**
 * Kafka, the registry and PostgreSQL named by the environment, as the tests take them
 * (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, POSTGRES_URL): used as they are, nothing started. The way
 * to share infrastructure that another checkout's `npm run infra:up` started.
 */
async function useGivenInfrastructure(
  given: TestInfrastructure,
  databases: readonly string[],
  migrate: (urls: Record<string, string>) => Promise<void>,
) {
  const databaseUrls: Record<string, string> = {};
  for (const name of databases) {
    await createDatabaseIfMissing(given.postgresUrl, name);
    databaseUrls[name] = databaseUrlOnServer(given.postgresUrl, name);
  }
  await migrate(databaseUrls);
  return {
    kafkaBrokers: given.kafkaBrokers,
    // As the tests take it: a cluster started by `infra:up -- --brokers 3` exports 3.
    kafkaReplicationFactor: Number(process.env['KAFKA_REPLICATION_FACTOR'] ?? '1'),
    schemaRegistryUrl: given.schemaRegistryUrl,
    databaseUrls,
    startedNow: false,
  };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is unknown`);
  return value;
}

/** Products with ample stock, through the inventory API; resolves once the order service prices them. */
async function seedCatalog(services: RunningServices, orderDatabaseUrl: string, runId: string) {
  const skus = Array.from({ length: SKU_COUNT }, (_, i) => `BENCH-${runId}-${i}`.toUpperCase());
  for (const sku of skus) {
    const product = await call(`${services.url('inventory')}/products/${sku}`, 'PUT', {
      name: `Benchmark product ${sku}`,
      priceCents: 1_000 + skus.indexOf(sku),
    });
    const stock = await call(`${services.url('inventory')}/products/${sku}/stock`, 'POST', {
      quantity: STOCK_PER_SKU,
      reason: 'benchmark seed',
    });
    if (product.status >= 300 || stock.status !== 200) {
      throw new Error(
        `seeding ${sku} failed: ${product.status} ${stock.status} ${JSON.stringify(stock.body)}`,
      );
    }
  }
  // The order service prices from its replica (ProductUpserted events): read it rather than post
  // probe orders, which would count as load.
  const orderDb = new Pool({ connectionString: orderDatabaseUrl, max: 1 });
  try {
    await waitFor(
      'the order service to know every product',
      async () =>
        (await orderDb.query<{ n: number }>('SELECT count(*)::int AS n FROM catalog_items')).rows[0]?.n ===
        skus.length,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  } finally {
    await orderDb.end();
  }
  return skus;
}

function databaseName(url: string): string {
  return new URL(url).pathname.slice(1);
}

/** Runs `work` on a one-connection pool to the server's admin database. */
async function onAdminDatabase<T>(system: BenchSystem, work: (admin: Pool) => Promise<T>): Promise<T> {
  const admin = new Pool({ connectionString: system.postgresAdminUrl, max: 1 });
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** The PostgreSQL server processes serving this run's databases right now. */
export async function postgresBackendPids(system: BenchSystem): Promise<number[]> {
  const names = Object.values(system.databaseUrls).map(databaseName);
  return onAdminDatabase(system, async (admin) => {
    const { rows } = await admin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = ANY($1::text[])',
      [names],
    );
    return rows.map((row) => row.pid);
  });
}

/**
 * Transactions each service's database has ended so far (`pg_stat_database`: commits and rollbacks,
 * read-only ones included). A busy backend reports its counts at most once a second, so over a load
 * of 25 s the difference of two readings is exact to a few per cent.
 */
export async function transactionsSoFar(system: BenchSystem): Promise<Record<string, number>> {
  const byService = Object.entries(system.databaseUrls).map(([service, url]): [string, string] => [
    service,
    databaseName(url),
  ]);
  return onAdminDatabase(system, async (admin) => {
    const { rows } = await admin.query<{ datname: string; n: string }>(
      'SELECT datname, xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = ANY($1::text[])',
      [byService.map(([, name]) => name)],
    );
    const byName = new Map(rows.map((row) => [row.datname, Number(row.n)]));
    return Object.fromEntries(byService.map(([service, name]) => [service, byName.get(name) ?? 0]));
  });
}

async function deleteTopics(kafka: Kafka, prefix: string): Promise<void> {
  await withKafkaAdmin(kafka, async (admin) => {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  });
}

/**
 * Messages of this run's topics that the service groups have not committed yet: the true consumer
 * lag, from the broker. (The services' lag gauge keeps its last value for a partition taken away
 * by a rebalance, so it cannot tell that a system has gone quiet.)
 */
export async function uncommittedMessages(kafka: Kafka, topicPrefix: string): Promise<number> {
  return withKafkaAdmin(kafka, async (admin) => {
    const topics = (await admin.listTopics()).filter(
      (topic) => topic.startsWith(topicPrefix) && !topic.startsWith(`${topicPrefix}dlq.`),
    );
    const ends = new Map<string, number>();
    for (const topic of topics) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic))
        ends.set(`${topic}/${partition}`, Number(high));
    }
    // The services' groups: the run's topic prefix, then a service's name (the benchmark's own
    // watcher group has the prefix too, and is left out).
    const serviceGroup = new RegExp(`^${topicPrefix.replaceAll('.', '\\.')}[a-z]+-service(\\.|$)`);
    const groupIds = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((id) => serviceGroup.test(id));
    let behind = 0;
    for (const groupId of groupIds) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
        // A group that never committed on a topic does not read it (every group starts from the beginning).
        if (partitions.every((p) => Number(p.offset) < 0)) continue;
        for (const { partition, offset } of partitions) {
          const end = ends.get(`${topic}/${partition}`) ?? 0;
          behind += Math.max(0, end - Math.max(0, Number(offset)));
        }
      }
    }
    return behind;
  });
}
