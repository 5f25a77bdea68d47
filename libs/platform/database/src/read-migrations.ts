import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { MigrationError } from './migration-error';

/**
 * A service's migrations folder keeps Prisma's layout, `<timestamp>_<name>/migration.sql`, with one
 * addition: a migration whose SQL a library owns (the outbox table in libs/outbox, the inbox table in
 * libs/messaging) holds a `shared-migrations.json` instead of a `migration.sql`:
 *
 *     { "sharedMigrations": ["outbox/01_outbox_table.sql", "messaging/01_inbox_table.sql", ...] }
 *
 * Its SQL is those library files concatenated in that order, byte for byte, so its checksum is the one
 * Prisma computes for a `migration.sql` with that text. That is what lets databases migrated when
 * every service kept its own copy carry on: same folder names, same bytes, same recorded checksums.
 * The folder's name still places the shared SQL in the service's history.
 */
export const SHARED_MIGRATIONS_FILE = 'shared-migrations.json';

export interface Migration {
  /** The folder name, `<timestamp>_<name>`, as recorded in `_prisma_migrations`. */
  name: string;
  sql: string;
  /** SHA-256 of the SQL, hex: what Prisma records. */
  checksum: string;
  /** The library files the SQL is made of (`outbox/01_outbox_table.sql`); empty for the service's own. */
  sharedMigrations: string[];
}

/** A service's migrations folder and the libraries its `shared-migrations.json` files may name. */
export interface MigrationSource {
  migrationsDir: string;
  /** Each library's folder of shared migrations, by the name used in references (`outbox`). */
  sharedMigrationsDirs: Readonly<Record<string, string>>;
}

// `<library>/<NN>_<name>.sql`: the number orders a library's migrations, as timestamps order Prisma's.
const SHARED_MIGRATION_REFERENCE = /^([a-z0-9-]+)\/(\d+_[a-z0-9_]+\.sql)$/;
const SHARED_MIGRATION_FILE = /^(\d+)_[a-z0-9_]+\.sql$/;

function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseSharedMigrations(text: string, where: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MigrationError(`${where} is not JSON: ${(error as Error).message}`);
  }
  const references = (parsed as { sharedMigrations?: unknown } | null)?.sharedMigrations;
  if (
    !Array.isArray(references) ||
    references.length === 0 ||
    !references.every((r): r is string => typeof r === 'string' && SHARED_MIGRATION_REFERENCE.test(r))
  ) {
    throw new MigrationError(
      `${where} must be { "sharedMigrations": ["<library>/<NN>_<name>.sql", ...] } with at least one entry`,
    );
  }
  return references;
}

/** A library's shared migrations in their order, e.g. `['01_outbox_table.sql', ...]`. */
export async function readSharedMigrationNames(libraryDir: string): Promise<string[]> {
  const names = (await readdir(libraryDir)).filter((name) => name.endsWith('.sql'));
  const malformed = names.find((name) => !SHARED_MIGRATION_FILE.test(name));
  if (malformed) {
    throw new MigrationError(`${join(libraryDir, malformed)}: shared migrations are named <NN>_<name>.sql`);
  }
  const order = (name: string) => Number(SHARED_MIGRATION_FILE.exec(name)?.[1]);
  return names.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}

/**
 * A library's SQL assumes all of its earlier migrations ran (the quarantine columns alter the outbox
 * table; the relay reads them). So a service that includes any of a library's shared migrations must
 * include every one of them, each once, in the library's order: a library's new migration is refused
 * until each service using it places it in its own history.
 */
async function assertLibrariesComplete(
  source: MigrationSource,
  migrations: readonly Migration[],
): Promise<void> {
  const included = new Map<string, string[]>();
  for (const reference of migrations.flatMap((m) => m.sharedMigrations)) {
    const [library, file] = reference.split('/') as [string, string];
    included.set(library, [...(included.get(library) ?? []), file]);
  }
  for (const [library, files] of included) {
    const expected = await readSharedMigrationNames(source.sharedMigrationsDirs[library] as string);
    const missing = expected.filter((file) => !files.includes(file));
    if (missing.length > 0) {
      throw new MigrationError(
        `${source.migrationsDir} includes ${library}'s shared migrations but not ${missing.map((f) => `${library}/${f}`).join(', ')}: ` +
          `add a migration folder <timestamp>_<name>/${SHARED_MIGRATIONS_FILE} naming ${missing.length > 1 ? 'them' : 'it'}`,
      );
    }
    if (files.join() !== expected.join()) {
      throw new MigrationError(
        `${source.migrationsDir} includes ${library}'s shared migrations as ${files.join(', ')}; ` +
          `each must appear once, in the order ${expected.join(', ')}`,
      );
    }
  }
}

async function readSharedMigrationSql(
  source: MigrationSource,
  reference: string,
  where: string,
): Promise<string> {
  const [library, file] = reference.split('/') as [string, string];
  const libraryDir = source.sharedMigrationsDirs[library];
  if (libraryDir === undefined) {
    const known = Object.keys(source.sharedMigrationsDirs);
    throw new MigrationError(
      `${where} names ${reference}, but library "${library}" has no shared migrations here` +
        ` (known: ${known.length > 0 ? known.join(', ') : 'none'})`,
    );
  }
  const sql = await readIfExists(join(libraryDir, file));
  if (sql === undefined)
    throw new MigrationError(`${where} names ${reference}, which is not in ${libraryDir}`);
  return sql;
}

/**
 * The migrations of a service, in the order they apply (their folder names' order, as Prisma does).
 * A plain path reads a Prisma migrations folder whose migrations all have a `migration.sql`.
 */
export async function readMigrations(source: string | MigrationSource): Promise<Migration[]> {
  const { migrationsDir, sharedMigrationsDirs } =
    typeof source === 'string' ? { migrationsDir: source, sharedMigrationsDirs: {} } : source;
  const resolved: MigrationSource = { migrationsDir, sharedMigrationsDirs };
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrations = await Promise.all(
    names.map(async (name): Promise<Migration> => {
      const folder = join(migrationsDir, name);
      const ownSql = await readIfExists(join(folder, 'migration.sql'));
      const sharedList = await readIfExists(join(folder, SHARED_MIGRATIONS_FILE));
      if (ownSql !== undefined && sharedList !== undefined) {
        throw new MigrationError(`${folder} has both migration.sql and ${SHARED_MIGRATIONS_FILE}; keep one`);
      }
      if (ownSql !== undefined)
        return { name, sql: ownSql, checksum: checksum(ownSql), sharedMigrations: [] };
      if (sharedList === undefined) {
        throw new MigrationError(`${folder} has neither migration.sql nor ${SHARED_MIGRATIONS_FILE}`);
      }
      const where = join(folder, SHARED_MIGRATIONS_FILE);
      const references = parseSharedMigrations(sharedList, where);
      const parts = await Promise.all(references.map((r) => readSharedMigrationSql(resolved, r, where)));
      // Concatenated as they are: a separator would change the bytes, and with them the checksum
      // that databases migrated from the per-service copies have recorded.
      const sql = parts.join('');
      return { name, sql, checksum: checksum(sql), sharedMigrations: references };
    }),
  );
  await assertLibrariesComplete(resolved, migrations);
  return migrations;
}
