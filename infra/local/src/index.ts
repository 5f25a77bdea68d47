/**
 * Local infrastructure without Docker: Kafka (KRaft, one node) and Apicurio Registry (Confluent-
 * compatible API) as JVM processes fetched through Maven, plus databases on an existing PostgreSQL.
 * Used by the CLI (npm run infra:up|infra:down|infra:status) and by test harnesses.
 */
export {
  localInfraDown,
  localInfraStatus,
  localInfraUp,
  localKafkaStop,
  type ComponentStatus,
  type LocalInfraEndpoints,
  type LocalInfraStatus,
  type LocalInfraUpResult,
  type StoppedComponent,
} from './local-infra';
export { DEFAULT_DATABASES, type KafkaProxiedListener, type LocalInfraOptions } from './local-infra-config';
export { LocalInfraError } from './local-infra-error';
export { databaseEnvVarName, localInfraEnv, toShellExports } from './shell-env';
export { freePort } from './free-port';
