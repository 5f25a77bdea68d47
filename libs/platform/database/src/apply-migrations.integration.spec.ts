import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from 'pg';

import { applyMigrations, MigrationError } from './apply-migrations';
import { createDatabaseIfMissing, databaseUrlOnServer, dropDatabase } from './database-admin';

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
