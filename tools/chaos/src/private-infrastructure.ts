import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { migrateServiceDatabase, serviceDatabases } from '@ecommerce/db-tools';
import {
  freePort,
  localInfraDown,
  localInfraUp,
  localKafkaStop,
  type LocalInfraOptions,
} from '@ecommerce/local-infra';
import type { ServiceName } from '@ecommerce/system-runner';

import { PrivatePostgres } from './private-postgres';

/**
 * The infrastructure a chaos run owns and breaks: its own PostgreSQL cluster, and its own Kafka
 * broker and schema registry (`infra/local` with a private state folder and free ports). The
 * shared stack on 9092/8081/5432 that other work uses is never touched.
 */
export class PrivateInfrastructure {
  private constructor(
    private readonly postgres: PrivatePostgres,
    private readonly kafkaOptions: LocalInfraOptions & { stateDir: string },
    readonly kafkaBrokers: string,
    readonly schemaRegistryUrl: string,
  ) {}

  /** Starts everything and migrates the five service databases; on failure, stops what it started. */
  static async start(log: (line: string) => void): Promise<PrivateInfrastructure> {
    const postgres = await PrivatePostgres.start();
    const stateDir = mkdtempSync(join(tmpdir(), 'chaos-kafka-'));
    const kafkaOptions = {
      stateDir,
      kafkaPort: await freePort(),
      kafkaControllerPort: await freePort(),
      schemaRegistryPort: await freePort(),
      postgresAdminUrl: postgres.adminUrl,
      databases: [],
      log: (line: string) => log(`infra: ${line}`),
    };
    try {
      const up = await localInfraUp(kafkaOptions);
      for (const service of serviceDatabases) {
        await migrateServiceDatabase(service, postgres.url(service.databaseName));
      }
      return new PrivateInfrastructure(postgres, kafkaOptions, up.kafkaBrokers, up.schemaRegistryUrl);
    } catch (error) {
      await stopAll(postgres, kafkaOptions);
      throw error;
    }
  }

  get databaseUrls(): Record<ServiceName, string> {
    return Object.fromEntries(
      serviceDatabases.map((s) => [s.service, this.postgres.url(s.databaseName)]),
    ) as Record<ServiceName, string>;
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
    await stopAll(this.postgres, this.kafkaOptions);
  }
}

async function stopAll(postgres: PrivatePostgres, kafkaOptions: LocalInfraOptions & { stateDir: string }) {
  try {
    await localInfraDown(kafkaOptions);
    rmSync(kafkaOptions.stateDir, { recursive: true, force: true });
  } finally {
    await postgres.stop();
  }
}
