import {
  applyMigrations,
  createDatabaseIfMissing,
  databaseUrlOnServer,
  type AppliedMigrations,
} from '@ecommerce/database';

import { migrationSource, type ServiceDatabase } from './services';

/** Creates the service's database if needed and applies its migrations. */
export async function migrateServiceDatabase(
  service: ServiceDatabase,
  databaseUrl: string,
): Promise<AppliedMigrations> {
  const url = new URL(databaseUrl);
  const databaseName = url.pathname.replace(/^\//, '');
  await createDatabaseIfMissing(databaseUrlOnServer(databaseUrl, 'postgres'), databaseName);
  return applyMigrations(databaseUrl, migrationSource(service));
}
