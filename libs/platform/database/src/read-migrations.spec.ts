import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MigrationError } from './migration-error';
import { readMigrations, type MigrationSource } from './read-migrations';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('readMigrations', () => {
  let root: string;
  let source: MigrationSource;

  const write = async (path: string, text: string) => {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  };
  const ownMigration = (name: string, sql: string) => write(`service/${name}/migration.sql`, sql);
  const sharedMigration = (name: string, references: string[]) =>
    write(`service/${name}/shared-migrations.json`, JSON.stringify({ sharedMigrations: references }));

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'read-migrations-'));
    source = {
      migrationsDir: join(root, 'service'),
      sharedMigrationsDirs: { queue: join(root, 'queue-lib'), log: join(root, 'log-lib') },
    };
    await write('queue-lib/01_queue_table.sql', 'CREATE TABLE q (id INT);\n\n');
    await write('queue-lib/02_queue_index.sql', 'CREATE INDEX q_id ON q (id);\n');
    await write('queue-lib/README.md', 'not a migration');
    await write('log-lib/01_log_table.sql', 'CREATE TABLE l (id INT);\n\n');
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('when a migration names shared migrations, then its SQL is theirs concatenated in that order, checksummed like a migration.sql holding it', async () => {
    await ownMigration('20260101000000_init', 'CREATE TABLE a (id INT);\n');
    await sharedMigration('20260102000000_queue_and_log', [
      'queue/01_queue_table.sql',
      'log/01_log_table.sql',
    ]);
    await sharedMigration('20260103000000_queue_index', ['queue/02_queue_index.sql']);

    const migrations = await readMigrations(source);

    const combined = 'CREATE TABLE q (id INT);\n\nCREATE TABLE l (id INT);\n\n';
    expect(migrations.map((m) => [m.name, m.sql, m.checksum])).toEqual([
      ['20260101000000_init', 'CREATE TABLE a (id INT);\n', sha256('CREATE TABLE a (id INT);\n')],
      ['20260102000000_queue_and_log', combined, sha256(combined)],
      [
        '20260103000000_queue_index',
        'CREATE INDEX q_id ON q (id);\n',
        sha256('CREATE INDEX q_id ON q (id);\n'),
      ],
    ]);
    expect(migrations[1]?.sharedMigrations).toEqual(['queue/01_queue_table.sql', 'log/01_log_table.sql']);
  });

  it("when a service includes some of a library's shared migrations but not its latest, then it is refused, naming the missing one", async () => {
    await sharedMigration('20260102000000_queue', ['queue/01_queue_table.sql']);

    await expect(readMigrations(source)).rejects.toThrow(MigrationError);
    await expect(readMigrations(source)).rejects.toThrow(
      /includes queue's shared migrations but not queue\/02_queue_index\.sql: add a migration folder/,
    );
  });

  it("when a library's shared migrations are included out of order, then it is refused", async () => {
    await sharedMigration('20260102000000_queue_index', ['queue/02_queue_index.sql']);
    await sharedMigration('20260103000000_queue', ['queue/01_queue_table.sql']);

    await expect(readMigrations(source)).rejects.toThrow(
      /as 02_queue_index\.sql, 01_queue_table\.sql; each must appear once, in the order 01_queue_table\.sql, 02_queue_index\.sql/,
    );
  });

  it('when a migration names a library without shared migrations here, then it is refused, naming the known ones', async () => {
    await sharedMigration('20260102000000_mail', ['mail/01_mail_table.sql']);

    await expect(readMigrations(source)).rejects.toThrow(
      /library "mail" has no shared migrations here \(known: queue, log\)/,
    );
  });

  it('when a named shared migration does not exist, then it is refused', async () => {
    await sharedMigration('20260102000000_queue', ['queue/01_queue_table.sql', 'queue/03_missing.sql']);

    await expect(readMigrations(source)).rejects.toThrow(/names queue\/03_missing\.sql, which is not in/);
  });

  it('when a migration folder has both or neither of migration.sql and shared-migrations.json, then it is refused', async () => {
    await mkdir(join(root, 'service', '20260101000000_empty'), { recursive: true });
    await expect(readMigrations(source)).rejects.toThrow(
      /has neither migration\.sql nor shared-migrations\.json/,
    );

    await rm(join(root, 'service', '20260101000000_empty'), { recursive: true });
    await ownMigration('20260102000000_both', 'SELECT 1;');
    await sharedMigration('20260102000000_both', ['log/01_log_table.sql']);
    await expect(readMigrations(source)).rejects.toThrow(
      /has both migration\.sql and shared-migrations\.json/,
    );
  });

  it('when shared-migrations.json lists nothing, then it is refused', async () => {
    await sharedMigration('20260102000000_nothing', []);

    await expect(readMigrations(source)).rejects.toThrow(/must be \{ "sharedMigrations"/);
  });
});
