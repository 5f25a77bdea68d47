import { localInfraDown, localInfraUp } from '@ecommerce/local-infra';

import { containerRuntimeAvailable, startContainers } from './containers';
import { infrastructureFromEnvironment, type TestInfrastructure } from './test-infrastructure';

export type InfrastructureSource = 'environment' | 'testcontainers' | 'local';

export interface ProvisionedInfrastructure {
  source: InfrastructureSource;
  infrastructure: TestInfrastructure;
  /** Stops what this provisioning started, and nothing else. */
  release(): Promise<void>;
}

/**
 * Finds infrastructure for a test run, in this order:
 * 1. explicit environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, POSTGRES_URL): used as is;
 * 2. a container engine that answers: Kafka, a schema registry and PostgreSQL as testcontainers;
 * 3. the local infrastructure (JVM processes from Maven Central, the local PostgreSQL). If it was
 *    already running (`npm run infra:up`), it is shared and left running; otherwise it is started
 *    here and stopped on release.
 * Set TEST_INFRA=local or TEST_INFRA=testcontainers to skip the detection.
 */
export async function provisionTestInfrastructure(
  log: (line: string) => void = console.error,
): Promise<ProvisionedInfrastructure> {
  const fromEnvironment = infrastructureFromEnvironment();
  if (fromEnvironment) {
    return { source: 'environment', infrastructure: fromEnvironment, release: async () => undefined };
  }
  const wanted = process.env['TEST_INFRA'];
  if (wanted && wanted !== 'local' && wanted !== 'testcontainers') {
    throw new Error(`TEST_INFRA must be "local" or "testcontainers", not "${wanted}"`);
  }
  if (wanted === 'testcontainers' || (!wanted && (await containerRuntimeAvailable()))) {
    log('test infrastructure: starting Kafka, schema registry and PostgreSQL containers');
    const containers = await startContainers();
    return { source: 'testcontainers', infrastructure: containers.infrastructure, release: containers.stop };
  }
  log(
    'test infrastructure: no container engine; using the local infrastructure (Kafka and Apicurio from Maven)',
  );
  const postgresUrl =
    process.env['LOCAL_POSTGRES_ADMIN_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  // Tests create their own databases, so the service databases are not needed here.
  const local = await localInfraUp({ databases: [], postgresAdminUrl: postgresUrl, log });
  return {
    source: 'local',
    infrastructure: {
      kafkaBrokers: local.kafkaBrokers,
      schemaRegistryUrl: local.schemaRegistryUrl,
      postgresUrl,
    },
    release: async () => {
      if (local.startedNow) await localInfraDown({ log });
    },
  };
}

/** Exports the infrastructure to the environment, where test files (and child processes) read it. */
export function exportInfrastructure(
  infrastructure: TestInfrastructure,
  env: NodeJS.ProcessEnv = process.env,
): void {
  env['KAFKA_BROKERS'] = infrastructure.kafkaBrokers;
  env['SCHEMA_REGISTRY_URL'] = infrastructure.schemaRegistryUrl;
  env['POSTGRES_URL'] = infrastructure.postgresUrl;
}
