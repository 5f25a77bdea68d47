import { randomBytes } from 'node:crypto';

import { createDatabaseIfMissing, databaseUrlOnServer, dropDatabase } from '@ecommerce/database';
import { findServiceDatabase, migrateServiceDatabase } from '@ecommerce/db-tools';

import { testInfrastructure } from './test-infrastructure';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file, migrated like the service's real one, so test files run in
 * parallel without seeing each other's rows. `service` is `order`, `inventory`, ...
 */
export async function createTestDatabase(service: string): Promise<TestDatabase> {
  const { postgresUrl } = testInfrastructure();
  const name = `test_${service}_${randomBytes(5).toString('hex')}`;
  await createDatabaseIfMissing(postgresUrl, name);
  const url = databaseUrlOnServer(postgresUrl, name);
  await migrateServiceDatabase(findServiceDatabase(service), url);
  return { url, drop: () => dropDatabase(postgresUrl, name) };
}
