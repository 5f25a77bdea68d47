import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  applyMigrations,
  createDatabaseIfMissing,
  databaseUrlOnServer,
  dropDatabase,
  readMigrations,
} from '@ecommerce/database';
import { Client } from 'pg';

import { exportPrismaMigrations } from './export-migrations';
import { migrateServiceDatabase } from './migrate-service';
import { migrationSource, serviceDatabases } from './services';

const serverUrl = process.env['POSTGRES_URL'] as string;

async function recordedMigrations(databaseUrl: string): Promise<[string, string][]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(
      'SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name',
    );
    return rows.map((row) => [row.migration_name, row.checksum]);
  } finally {
    await client.end();
  }
}

/**
 * Databases migrated before the outbox and inbox SQL moved into libs/outbox and libs/messaging
 * were migrated from a plain Prisma folder per service, every migration with its own
 * `migration.sql`. `exportPrismaMigrations` writes that layout (shared-migrations.spec.ts pins its
 * checksums to the ones those databases recorded); migrating from it is migrating the old way.
 */
describe('a database migrated from the per-service copies of the shared SQL', () => {
  let databaseName: string;
  let databaseUrl: string;
  let oldLayout: string;

  beforeEach(async () => {
    databaseName = `test_old_layout_${randomBytes(4).toString('hex')}`;
    await createDatabaseIfMissing(serverUrl, databaseName);
    databaseUrl = databaseUrlOnServer(serverUrl, databaseName);
    oldLayout = await mkdtemp(join(tmpdir(), 'old-layout-'));
  });

  afterEach(async () => {
    await dropDatabase(serverUrl, databaseName);
    await rm(oldLayout, { recursive: true, force: true });
  });

  it.each(serviceDatabases.map((s) => [s.project, s] as const))(
    '%s: when migrated with the shared SQL, then every migration counts as applied and none runs again',
    async (_project, service) => {
      const names = await exportPrismaMigrations(service, oldLayout);
      await applyMigrations(databaseUrl, oldLayout);
      const recordedBefore = await recordedMigrations(databaseUrl);

      expect(await migrateServiceDatabase(service, databaseUrl)).toEqual({
        applied: [],
        alreadyApplied: names,
      });
      expect(await recordedMigrations(databaseUrl)).toEqual(recordedBefore);
      const assembled = await readMigrations(migrationSource(service));
      expect(recordedBefore).toEqual(assembled.map((m) => [m.name, m.checksum]));
    },
  );
});
