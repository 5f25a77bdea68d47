import { createDatabaseIfMissing, databaseUrlOnServer, withAdminClient } from '@ecommerce/database';

import { LocalInfraError } from './local-infra-error';

/**
 * PostgreSQL is not started or stopped here (it is a shared, long-lived server): this only checks
 * it is reachable and creates the per-service databases that are missing.
 */

/** The URL with any password replaced, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch (error: unknown) {
    if (error instanceof TypeError) return '(unparseable URL)';
    throw error;
  }
}

/** Resolves when a query succeeds; rejects with a message naming the URL and its env var otherwise. */
export async function checkPostgresReachable(adminUrl: string): Promise<void> {
  try {
    await withAdminClient(adminUrl, (client) => client.query('SELECT 1'));
  } catch (error: unknown) {
    throw new LocalInfraError(
      `PostgreSQL is not reachable at ${redactUrl(adminUrl)} (${error instanceof Error ? error.message : String(error)}). ` +
        'infra/local does not start PostgreSQL: start it, or point LOCAL_POSTGRES_ADMIN_URL at a running server.',
      { cause: error },
    );
  }
}

/** Creates each missing database; returns database name -> connection URL. */
export async function ensureDatabases(
  adminUrl: string,
  databases: readonly string[],
  log: (line: string) => void,
): Promise<Record<string, string>> {
  for (const database of databases) {
    if (await createDatabaseIfMissing(adminUrl, database)) log(`created database ${database}`);
  }
  return Object.fromEntries(databases.map((database) => [database, databaseUrlOnServer(adminUrl, database)]));
}
