/** Where the integration tests find Kafka, the schema registry and a PostgreSQL server. */
export interface TestInfrastructure {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  /** A server URL whose user may create and drop databases. */
  postgresUrl: string;
}

export const INFRASTRUCTURE_VARIABLES = {
  kafkaBrokers: 'KAFKA_BROKERS',
  schemaRegistryUrl: 'SCHEMA_REGISTRY_URL',
  postgresUrl: 'POSTGRES_URL',
} as const satisfies Record<keyof TestInfrastructure, string>;

/**
 * The infrastructure given by the environment, all three variables or none. A partial set is an
 * error rather than a silent fallback, so a typo never sends tests to the wrong place.
 */
export function infrastructureFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): TestInfrastructure | undefined {
  const entries = Object.entries(INFRASTRUCTURE_VARIABLES).map(
    ([key, variable]) => [key, variable, env[variable]] as const,
  );
  const missing = entries.filter(([, , value]) => !value).map(([, variable]) => variable);
  if (missing.length === entries.length) return undefined;
  if (missing.length > 0) {
    throw new Error(
      `set all of ${Object.values(INFRASTRUCTURE_VARIABLES).join(', ')} or none of them; missing: ${missing.join(', ')}`,
    );
  }
  return Object.fromEntries(entries.map(([key, , value]) => [key, value])) as unknown as TestInfrastructure;
}

/** For test files: the infrastructure the global setup provided. */
export function testInfrastructure(): TestInfrastructure {
  const infrastructure = infrastructureFromEnvironment();
  if (!infrastructure) {
    throw new Error(
      'integration tests need KAFKA_BROKERS, SCHEMA_REGISTRY_URL and POSTGRES_URL; run them through `npm test` or jest with the workspace preset, whose global setup provides them',
    );
  }
  return infrastructure;
}
