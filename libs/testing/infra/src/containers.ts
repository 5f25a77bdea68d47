import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';

import { freePort } from '@ecommerce/local-infra';
import { TEST_POSTGRES_MAX_CONNECTIONS } from './connection-limit';
import type { TestInfrastructure } from './test-infrastructure';

/** Image names with public defaults; CI points them at images it builds itself. */
export const containerImages = {
  kafka: process.env['TEST_KAFKA_IMAGE'] ?? 'apache/kafka:4.3.2',
  schemaRegistry: process.env['TEST_SCHEMA_REGISTRY_IMAGE'] ?? 'apicurio/apicurio-registry:3.3.3',
  postgres: process.env['TEST_POSTGRES_IMAGE'] ?? 'postgres:16-alpine',
};

/** True when a container engine answers; never throws. */
export async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    // "No runtime" is the expected answer on machines without Docker; the caller falls back.
    return false;
  }
}

/**
 * Kafka must advertise the address clients reach it at, which is the host port; fixing that port
 * before start lets the broker advertise it (the Confluent-only KafkaContainer is not used so any
 * Apache Kafka image, including CI's own, can serve).
 */
async function startKafka(): Promise<StartedTestContainer> {
  const hostPort = await freePort();
  return new GenericContainer(containerImages.kafka)
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
}

async function startSchemaRegistry(): Promise<StartedTestContainer> {
  return (
    new GenericContainer(containerImages.schemaRegistry)
      .withExposedPorts(8080)
      // Confluent's defaults, as infra/local sets them: BACKWARD compatibility (the client checks a
      // subject's level against its own default) and one id per schema content.
      .withEnvironment({
        APICURIO_RULES_GLOBAL_COMPATIBILITY: 'BACKWARD',
        APICURIO_CCOMPAT_LEGACY_ID_MODE_ENABLED: 'false',
      })
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080).forStatusCode(200))
      .withStartupTimeout(120_000)
      .start()
  );
}

export interface StartedContainers {
  infrastructure: TestInfrastructure;
  stop(): Promise<void>;
}

export async function startContainers(): Promise<StartedContainers> {
  const [kafka, registry, postgres] = await Promise.all([
    startKafka(),
    startSchemaRegistry(),
    new PostgreSqlContainer(containerImages.postgres)
      .withCommand(['postgres', '-c', `max_connections=${TEST_POSTGRES_MAX_CONNECTIONS}`])
      .start(),
  ]);
  return {
    infrastructure: {
      kafkaBrokers: `127.0.0.1:${kafka.getMappedPort(9092)}`,
      schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      postgresUrl: postgres.getConnectionUri(),
    },
    // Ryuk (the reaper) cannot be pulled on the build machines, so containers are stopped here.
    stop: async () => {
      await Promise.all([kafka.stop(), registry.stop(), postgres.stop()]);
    },
  };
}
