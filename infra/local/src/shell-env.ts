import type { LocalInfraEndpoints } from './local-infra';

/** Environment variable for a database URL: ecommerce_order -> ORDER_DATABASE_URL. */
export function databaseEnvVarName(database: string): string {
  return `${database.replace(/^ecommerce_/, '').toUpperCase()}_DATABASE_URL`;
}

/** The variables services and tests read to find the local stack. */
export function localInfraEnv(endpoints: LocalInfraEndpoints): Record<string, string> {
  return {
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    // A cluster's brokers require 2 in-sync replicas: topics the services create need 3.
    KAFKA_REPLICATION_FACTOR: String(endpoints.kafkaReplicationFactor),
    SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    ...Object.fromEntries(
      Object.entries(endpoints.databaseUrls).map(([database, url]) => [databaseEnvVarName(database), url]),
    ),
  };
}

/** `export NAME='value'` lines for `eval "$(...)"`; single quotes so URLs with & or ? stay intact. */
export function toShellExports(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", `'\\''`)}'`)
    .join('\n');
}
