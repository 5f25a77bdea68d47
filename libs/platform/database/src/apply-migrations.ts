import { randomUUID } from 'node:crypto';

import { Client } from 'pg';

import { MigrationError } from './migration-error';
import { readMigrations, type Migration, type MigrationSource } from './read-migrations';

/**
 * Applies the SQL migrations of a Prisma `migrations/` folder, the way `prisma migrate deploy`
 * does, and records them in the same `_prisma_migrations` table with the same checksums. A
 * migration may take its SQL from libraries' shared migrations (see read-migrations.ts); it is
 * recorded under the service's folder name with the checksum of the assembled SQL.
 *
 * Why our own: `migrate deploy` needs Prisma's native schema engine, which cannot be downloaded on
 * the machines this project is built on, and Prisma's driver-adapter migrations fail on
 * PostgreSQL (prisma/orm#27403). Keeping Prisma's bookkeeping means a database migrated here is
 * recognised by `prisma migrate deploy` elsewhere, and the other way round.
 */
export interface AppliedMigrations {
  applied: string[];
  alreadyApplied: string[];
}

// The advisory lock id Prisma's migration engine takes, so our runs and Prisma's never overlap.
const PRISMA_MIGRATE_ADVISORY_LOCK = 72707369;

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"            VARCHAR(64) NOT NULL,
    "finished_at"         TIMESTAMPTZ,
    "migration_name"      VARCHAR(255) NOT NULL,
    "logs"                TEXT,
    "rolled_back_at"      TIMESTAMPTZ,
    "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`;

interface MigrationRecord {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

function assertHistoryMatches(files: readonly Migration[], records: MigrationRecord[]): void {
  const byName = new Map(files.map((file) => [file.name, file]));
  for (const record of records) {
    if (record.rolled_back_at) continue;
    if (!record.finished_at) {
      throw new MigrationError(
        `migration ${record.migration_name} started but did not finish; fix the database by hand, then mark it rolled back`,
      );
    }
    const file = byName.get(record.migration_name);
    if (!file) {
      throw new MigrationError(
        `the database has migration ${record.migration_name}, which is not in the migrations folder`,
      );
    }
    if (file.checksum !== record.checksum) {
      throw new MigrationError(
        file.sharedMigrations.length > 0
          ? `migration ${record.migration_name} was changed after it was applied: its SQL is ${file.sharedMigrations.join(' + ')}, ` +
              'which databases have recorded byte for byte; restore those files and put the change in a new shared migration'
          : `migration ${record.migration_name} was changed after it was applied`,
      );
    }
  }
}

/** `source`: a plain Prisma migrations folder, or a service's folder with the libraries it draws on. */
export async function applyMigrations(
  databaseUrl: string,
  source: string | MigrationSource,
): Promise<AppliedMigrations> {
  const files = await readMigrations(source);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_ADVISORY_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows: records } = await client.query<MigrationRecord>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    assertHistoryMatches(files, records);
    const done = new Set(
      records.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => r.migration_name),
    );
    const result: AppliedMigrations = { applied: [], alreadyApplied: [] };
    for (const file of files) {
      if (done.has(file.name)) {
        result.alreadyApplied.push(file.name);
        continue;
      }
      // One transaction per migration: PostgreSQL DDL is transactional, so a failing migration
      // leaves neither half its changes nor a record behind.
      await client.query('BEGIN');
      try {
        await client.query(file.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), file.checksum, file.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${file.name} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      result.applied.push(file.name);
    }
    return result;
  } finally {
    // Ending the session releases the advisory lock too, so there is no separate unlock to fail.
    await client.end();
  }
}
