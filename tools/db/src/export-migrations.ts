import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { readMigrations } from '@ecommerce/database';

import { migrationSource, migrationsDir, type ServiceDatabase } from './services';

/**
 * Writes a service's migrations as a plain Prisma migrations folder, every migration with its own
 * `migration.sql` (shared SQL assembled in): the layout `prisma migrate deploy` and `migrate status`
 * read on a machine where Prisma's schema engine runs, and the layout every service kept before the
 * shared SQL moved into the libraries. Same names, same bytes, so the same checksums.
 * Returns the migration names written.
 */
export async function exportPrismaMigrations(service: ServiceDatabase, outDir: string): Promise<string[]> {
  const migrations = await readMigrations(migrationSource(service));
  await mkdir(outDir, { recursive: true });
  await copyFile(join(migrationsDir(service), 'migration_lock.toml'), join(outDir, 'migration_lock.toml'));
  for (const migration of migrations) {
    await mkdir(join(outDir, migration.name), { recursive: true });
    await writeFile(join(outDir, migration.name, 'migration.sql'), migration.sql);
  }
  return migrations.map((m) => m.name);
}
