import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from 'pg';

import { applyMigrations } from './apply-migrations';
import { createDatabaseIfMissing, databaseUrlOnServer, dropDatabase } from './database-admin';
import { MigrationError } from './migration-error';
import type { MigrationSource } from './read-migrations';

const serverUrl = process.env['POSTGRES_URL'] as string;

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('applyMigrations', () => {
  let databaseName: string;
  let databaseUrl: string;
  let migrations: string;

  const writeMigration = async (name: string, sql: string) => {
    await mkdir(join(migrations, name), { recursive: true });
    await writeFile(join(migrations, name, 'migration.sql'), sql);
  };

  beforeEach(async () => {
    databaseName = `test_migrations_${randomBytes(4).toString('hex')}`;
    await createDatabaseIfMissing(serverUrl, databaseName);
    databaseUrl = databaseUrlOnServer(serverUrl, databaseName);
    migrations = await mkdtemp(join(tmpdir(), 'migrations-'));
  });

  afterEach(async () => {
    await dropDatabase(serverUrl, databaseName);
    await rm(migrations, { recursive: true, force: true });
  });

  it('when applied twice, then each migration runs once and is recorded the way Prisma records it', async () => {
    await writeMigration('20260101000000_a', 'CREATE TABLE a (id INT PRIMARY KEY);');
    await writeMigration('20260102000000_b', 'INSERT INTO a VALUES (1);');

    expect(await applyMigrations(databaseUrl, migrations)).toEqual({
      applied: ['20260101000000_a', '20260102000000_b'],
      alreadyApplied: [],
    });
    expect(await applyMigrations(databaseUrl, migrations)).toEqual({
      applied: [],
      alreadyApplied: ['20260101000000_a', '20260102000000_b'],
    });
    expect(await query(databaseUrl, 'SELECT count(*)::int AS n FROM a')).toEqual([{ n: 1 }]);
    const records = await query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
      databaseUrl,
      'SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(records.map((r) => [r.migration_name, r.checksum.length, r.applied_steps_count])).toEqual([
      ['20260101000000_a', 64, 1],
      ['20260102000000_b', 64, 1],
    ]);
  });

  it('when a migration fails, then none of its statements and no record remain', async () => {
    await writeMigration('20260101000000_a', 'CREATE TABLE a (id INT PRIMARY KEY);');
    await writeMigration('20260102000000_b', 'CREATE TABLE b (id INT); SELECT no_such_function();');

    await expect(applyMigrations(databaseUrl, migrations)).rejects.toThrow(/20260102000000_b failed/);
    expect(await query(databaseUrl, "SELECT to_regclass('b') AS b")).toEqual([{ b: null }]);
    expect(await query(databaseUrl, 'SELECT migration_name FROM "_prisma_migrations"')).toEqual([
      { migration_name: '20260101000000_a' },
    ]);
  });

  it('when an applied migration was edited afterwards, then it refuses to continue', async () => {
    await writeMigration('20260101000000_a', 'CREATE TABLE a (id INT PRIMARY KEY);');
    await applyMigrations(databaseUrl, migrations);
    await writeMigration('20260101000000_a', 'CREATE TABLE a (id BIGINT PRIMARY KEY);');

    await expect(applyMigrations(databaseUrl, migrations)).rejects.toThrow(MigrationError);
    await expect(applyMigrations(databaseUrl, migrations)).rejects.toThrow(
      /was changed after it was applied/,
    );
  });

  describe('with shared migrations', () => {
    let library: string;
    let source: MigrationSource;
    const queueTable = 'CREATE TABLE q (id INT PRIMARY KEY);\n\n';
    const queueIndex = 'CREATE INDEX q_id ON q (id);\n';

    beforeEach(async () => {
      library = await mkdtemp(join(tmpdir(), 'shared-migrations-'));
      await writeFile(join(library, '01_queue_table.sql'), queueTable);
      await writeFile(join(library, '02_queue_index.sql'), queueIndex);
      source = { migrationsDir: migrations, sharedMigrationsDirs: { queue: library } };
    });

    afterEach(() => rm(library, { recursive: true, force: true }));

    const useSharedMigration = async (name: string, references: string[]) => {
      await rm(join(migrations, name), { recursive: true, force: true });
      await mkdir(join(migrations, name), { recursive: true });
      await writeFile(
        join(migrations, name, 'shared-migrations.json'),
        JSON.stringify({ sharedMigrations: references }),
      );
    };

    it('when a database was migrated from per-service copies of the SQL, then the same migrations taken from a library are already applied', async () => {
      await writeMigration('20260101000000_a', 'CREATE TABLE a (id INT PRIMARY KEY);');
      await writeMigration('20260102000000_queue', queueTable + queueIndex);
      await applyMigrations(databaseUrl, migrations);

      await useSharedMigration('20260102000000_queue', [
        'queue/01_queue_table.sql',
        'queue/02_queue_index.sql',
      ]);

      expect(await applyMigrations(databaseUrl, source)).toEqual({
        applied: [],
        alreadyApplied: ['20260101000000_a', '20260102000000_queue'],
      });
    });

    it('when shared SQL changed after a database applied it, then the error says to restore it and add a new shared migration', async () => {
      await useSharedMigration('20260102000000_queue', [
        'queue/01_queue_table.sql',
        'queue/02_queue_index.sql',
      ]);
      await applyMigrations(databaseUrl, source);
      await writeFile(join(library, '02_queue_index.sql'), 'CREATE UNIQUE INDEX q_id ON q (id);\n');

      await expect(applyMigrations(databaseUrl, source)).rejects.toThrow(
        'migration 20260102000000_queue was changed after it was applied: its SQL is queue/01_queue_table.sql + queue/02_queue_index.sql, ' +
          'which databases have recorded byte for byte; restore those files and put the change in a new shared migration',
      );
    });
  });

  it('when two processes migrate the same database at once, then each migration still runs once', async () => {
    await writeMigration(
      '20260101000000_a',
      'CREATE TABLE a (id INT PRIMARY KEY); INSERT INTO a VALUES (1);',
    );
    const results = await Promise.all([
      applyMigrations(databaseUrl, migrations),
      applyMigrations(databaseUrl, migrations),
    ]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 1]);
  });
});
