import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { findServiceDatabase, migrateServiceDatabase, serviceDatabases } from '@ecommerce/db-tools';
import {
  freePort,
  localInfraDown,
  localInfraUp,
  localKafkaStop,
  type LocalInfraOptions,
} from '@ecommerce/local-infra';
import type { ServiceName } from '@ecommerce/system-runner';

import { DependencyRoutes, type InstanceRef } from './dependency-routes';
import { PrivatePostgres } from './private-postgres';

/**
 * The infrastructure a chaos run owns and breaks: its own PostgreSQL cluster, its own Kafka broker
 * and schema registry (`infra/local` with a private state folder and free ports), and the fault
 * proxies every service instance reaches them through (`DependencyRoutes`). The shared stack on
 * 9092/8081/5432 that other work uses is never touched.
 */
export class PrivateInfrastructure {
  private constructor(
    private readonly postgres: PrivatePostgres,
    private readonly kafkaOptions: LocalInfraOptions & { stateDir: string },
    readonly routes: DependencyRoutes,
    /** Direct, for the run's own reads and writes; the services go through `instanceSettings`. */
    readonly kafkaBrokers: string,
    readonly schemaRegistryUrl: string,
  ) {}

  /**
   * Starts everything for `instances` and migrates the five service databases; on failure, stops
   * what it started.
   */
  static async start(
    log: (line: string) => void,
    instances: readonly InstanceRef[],
  ): Promise<PrivateInfrastructure> {
    const routes = await DependencyRoutes.forInstances(instances);
    let postgres: PrivatePostgres | undefined;
    const stateDir = mkdtempSync(join(tmpdir(), 'chaos-kafka-'));
    try {
      postgres = await PrivatePostgres.start();
      const kafkaOptions = {
        stateDir,
        kafkaPort: await freePort(),
        kafkaControllerPort: await freePort(),
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
      KAFKA_BROKERS: routes.kafka.address,
      SCHEMA_REGISTRY_URL: registry.toString().replace(/\/$/, ''),
      [findServiceDatabase(instance.service).databaseUrlVariable]: database.toString(),
    };
  }

  /** Controlled shutdown of the broker (its data kept), for as long as `downFor` takes, then a start. */
  async restartKafka(downFor: () => Promise<void>): Promise<void> {
    await localKafkaStop(this.kafkaOptions);
    await downFor();
    await localInfraUp(this.kafkaOptions);
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
  kafkaOptions: LocalInfraOptions & { stateDir: string },
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
