/**
 * Local infrastructure without Docker: Kafka (KRaft: one node, or a cluster of combined
 * broker+controller nodes; 3.9 or 4.x) and Apicurio Registry (Confluent-compatible API) as JVM
 * processes fetched through Maven, plus databases on an existing PostgreSQL. Used by the CLI
 * (npm run infra:up|infra:down|infra:status), by test harnesses and by chaos runs.
 */
export {
  localInfraDown,
  localInfraStatus,
  localInfraUp,
  localKafkaBrokerKill,
  localKafkaBrokerStart,
  localKafkaBrokerStop,
  localKafkaStop,
  type ComponentStatus,
  type LocalInfraEndpoints,
  type LocalInfraStatus,
  type LocalInfraUpResult,
  type StoppedComponent,
} from './local-infra';
export { kafkaPartitionPlacement, type PartitionPlacement } from './kafka-broker';
export { clusterReplication, type ClusterReplication } from './kafka-server-properties';
export { DEFAULT_KAFKA_VERSION, KAFKA_4_VERSION } from './kafka-release';
export { DEFAULT_DATABASES, type KafkaProxiedListener, type LocalInfraOptions } from './local-infra-config';
export { LocalInfraError } from './local-infra-error';
export { databaseEnvVarName, localInfraEnv, toShellExports } from './shell-env';
export { freePort } from './free-port';
// For other tooling that runs JVM programs fetched from Maven Central (deploy/k8s's schema tests).
export { findExecutableOnPath } from './executable-on-path';
export { pickJava, probeJavaRuntimes, type JavaRuntime } from './java-runtime';
export { ensureMavenDistribution, type MavenDistribution } from './maven-distribution';
