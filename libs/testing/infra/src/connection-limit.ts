import { withAdminClient } from '@ecommerce/database';

/**
 * How many connections the tests' PostgreSQL must allow. `npm test` runs every project's suites at
 * once against one server, and every service process a suite starts keeps its own pools, relay
 * session and lock sessions. The five end-to-end suites alone peaked at 95 client connections
 * (pg_stat_activity sampled every 1.5 s through one run, 2026-12-06), against PostgreSQL's default
 * limit of 100; past the limit a connection fails with 53300 "too many clients already", and the
 * test that needed it fails (a 503 from a service, a migration that cannot connect). 400 leaves room
 * for the integration suites that run beside them.
 */
export const TEST_POSTGRES_MAX_CONNECTIONS = 400;

/** The server's `max_connections`. */
export async function postgresConnectionLimit(postgresUrl: string): Promise<number> {
  const { rows } = await withAdminClient(postgresUrl, (client) =>
    client.query<{ max_connections: string }>('SHOW max_connections'),
  );
  return Number(rows[0]?.max_connections);
}

/** What to tell the person running the tests when the server allows too few connections; undefined when it is enough. */
export function connectionLimitWarning(limit: number, where: string): string | undefined {
  if (limit >= TEST_POSTGRES_MAX_CONNECTIONS) return undefined;
  return (
    `warning: PostgreSQL at ${where} allows ${limit} connections; the suites running in parallel ` +
    `can open more, and then fail with "too many clients already". Raise it to ` +
    `${TEST_POSTGRES_MAX_CONNECTIONS} and restart the server: ` +
    `psql -c 'ALTER SYSTEM SET max_connections = ${TEST_POSTGRES_MAX_CONNECTIONS}' (as a superuser), ` +
    `then pg_ctlcluster <version> main restart (.ci/run does so).`
  );
}

/** Says so through `log` when the server at `postgresUrl` allows fewer connections than the parallel suites need. */
export async function warnOnLowConnectionLimit(
  postgresUrl: string,
  log: (line: string) => void,
): Promise<void> {
  const warning = connectionLimitWarning(
    await postgresConnectionLimit(postgresUrl),
    new URL(postgresUrl).host,
  );
  if (warning) log(warning);
}
