import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { findServiceDatabase, migrateServiceDatabase, serviceDatabases } from '@ecommerce/db-tools';
import {
  clusterReplication,
  freePort,
  kafkaPartitionPlacement,
  localInfraDown,
  localInfraUp,
  localKafkaBrokerKill,
  localKafkaBrokerStart,
  localKafkaStop,
  type LocalInfraOptions,
  type PartitionPlacement,
} from '@ecommerce/local-infra';
import type { ServiceName } from '@ecommerce/system-runner';

import { DependencyRoutes, type InstanceRef } from './dependency-routes';
import { PrivatePostgres } from './private-postgres';

/**
 * The infrastructure a chaos run owns and breaks: its own PostgreSQL cluster, its own Kafka (one
 * broker, or a cluster of three) and schema registry (`infra/local` with a private state folder and
 * free ports), and the fault proxies every service instance reaches them through
 * (`DependencyRoutes`; on a cluster, PostgreSQL and the registry only). The shared stack on
 * 9092/8081/5432 that other work uses is never touched.
 */
export class PrivateInfrastructure {
  private constructor(
    private readonly postgres: PrivatePostgres,
    private readonly kafkaOptions: LocalInfraOptions & { stateDir: string; kafkaBrokerCount: number },
    readonly routes: DependencyRoutes,
    /** Direct, for the run's own reads and writes; the services go through `instanceSettings`. */
    readonly kafkaBrokers: string,
    /** What the services create their topics with (KAFKA_REPLICATION_FACTOR): 1, or 3 on a cluster. */
    readonly kafkaReplicationFactor: number,
    readonly schemaRegistryUrl: string,
  ) {}

  /**
   * Starts everything for `instances` with `kafkaBrokerCount` Kafka nodes and migrates the five
   * service databases; on failure, stops what it started.
   */
  static async start(
    log: (line: string) => void,
    instances: readonly InstanceRef[],
    kafkaBrokerCount: number,
  ): Promise<PrivateInfrastructure> {
    const routes = await DependencyRoutes.forInstances(instances, { proxyKafka: kafkaBrokerCount === 1 });
    let postgres: PrivatePostgres | undefined;
    const stateDir = mkdtempSync(join(tmpdir(), 'chaos-kafka-'));
    const ports = async () => Promise.all(Array.from({ length: kafkaBrokerCount }, () => freePort()));
    try {
      postgres = await PrivatePostgres.start();
      const kafkaOptions = {
        stateDir,
        kafkaBrokerCount,
        kafkaPort: await ports(),
        kafkaControllerPort: await ports(),
        schemaRegistryPort: await freePort(),
        kafkaProxiedListeners: routes.kafkaListeners,
        postgresAdminUrl: postgres.adminUrl,
        databases: [],
        log: (line: string) => log(`infra: ${line}`),
      };
      try {
        const up = await localInfraUp(kafkaOptions);
        for (const service of serviceDatabases) {
          await migrateServiceDatabase(service, postgres.url(service.databaseName));
        }
        await routes.connect(postgres.port, kafkaOptions.schemaRegistryPort);
        return new PrivateInfrastructure(
          postgres,
          kafkaOptions,
          routes,
          up.kafkaBrokers,
          up.kafkaReplicationFactor,
          up.schemaRegistryUrl,
        );
      } catch (error) {
        await stopAll(postgres, kafkaOptions, routes);
        throw error;
      }
    } catch (error) {
      if (!postgres) {
        rmSync(stateDir, { recursive: true, force: true });
        await routes.stop();
      }
      throw error;
    }
  }

  /** Each service's database, reached directly. */
  get databaseUrls(): Record<ServiceName, string> {
    return Object.fromEntries(
      serviceDatabases.map((s) => [s.service, this.postgres.url(s.databaseName)]),
    ) as Record<ServiceName, string>;
  }

  /** The settings that send one instance to Kafka, the registry and its database through its routes. */
  instanceSettings(instance: InstanceRef): NodeJS.ProcessEnv {
    const routes = this.routes.of(instance);
    const registry = new URL(this.schemaRegistryUrl);
    registry.port = String(this.routes.registry.port);
    const database = new URL(this.databaseUrls[instance.service]);
    database.port = String(routes.postgres.port);
    return {
      KAFKA_BROKERS: routes.kafka?.address ?? this.kafkaBrokers,
      SCHEMA_REGISTRY_URL: registry.toString().replace(/\/$/, ''),
      [findServiceDatabase(instance.service).databaseUrlVariable]: database.toString(),
    };
  }

  /** Controlled shutdown of every Kafka node (data kept), for as long as `downFor` takes, then a start. */
  async restartKafka(downFor: () => Promise<void>): Promise<void> {
    await localKafkaStop(this.kafkaOptions);
    await downFor();
    await localInfraUp(this.kafkaOptions);
  }

  /** Kafka nodes the run started (node ids 1 to this). */
  get kafkaBrokerCount(): number {
    return this.kafkaOptions.kafkaBrokerCount;
  }

  /** The brokers' min.insync.replicas: an acks=all write needs this many replicas in sync (2 on a cluster). */
  get kafkaMinInSyncReplicas(): number {
    return clusterReplication(this.kafkaBrokerCount).minInSyncReplicas;
  }

  /** Leader, replicas and in-sync replicas of every partition of `topics`, as the cluster reports them now. */
  kafkaPlacement(topics: readonly string[]): Promise<PartitionPlacement[]> {
    return kafkaPartitionPlacement(this.kafkaBrokers, topics);
  }

  /** `kill -9` of one Kafka node of the cluster: a crash, its data kept. */
  async killKafkaBroker(nodeId: number): Promise<void> {
    const killed = await localKafkaBrokerKill(this.kafkaOptions, nodeId);
    if (killed.length === 0) throw new Error(`Kafka node ${nodeId} was not running`);
  }

  /** Starts a killed Kafka node again on its data; resolves once the cluster lists it as a live broker. */
  async startKafkaBroker(nodeId: number): Promise<void> {
    await localKafkaBrokerStart(this.kafkaOptions, nodeId);
  }

  /** A crash of the database server (immediate stop) and its restart with WAL recovery. */
  restartPostgres(): Promise<void> {
    return this.postgres.restart();
  }

  async stop(): Promise<void> {
    await stopAll(this.postgres, this.kafkaOptions, this.routes);
  }
}

async function stopAll(
  postgres: PrivatePostgres,
  kafkaOptions: LocalInfraOptions & { stateDir: string; kafkaBrokerCount: number },
  routes: DependencyRoutes,
) {
  try {
    await routes.stop();
    await localInfraDown(kafkaOptions);
    rmSync(kafkaOptions.stateDir, { recursive: true, force: true });
  } finally {
    await postgres.stop();
  }
}
