import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import {
  createDatabaseIfMissing,
  databaseUrlOnServer,
  dropDatabase,
  withAdminClient,
} from '@ecommerce/database';

import type { PostgresReference } from '../result';

const run = promisify(execFile);

/** About the number of connections the services write through at once under the default load. */
const CLIENTS = 8;
const SECONDS = 10;

/** Fails early, before anything starts, when pgbench (the postgresql-client package) is missing. */
export async function checkPgbench(): Promise<void> {
  try {
    await run('pgbench', ['--version']);
  } catch (error) {
    throw new Error('pgbench not found on PATH: install the PostgreSQL client tools (postgresql-client)', {
      cause: error,
    });
  }
}

/**
 * The server's single-row commit rate: pgbench, CLIENTS connections, each transaction one INSERT
 * of one row (about an outbox row's shape) committed on its own, for SECONDS, on a scratch
 * database dropped afterwards. What one commit costs on this disk with this server's durability
 * settings is the unit every other figure is compared with.
 */
export async function measurePostgresCommitRate(adminUrl: string, runId: string): Promise<PostgresReference> {
  const name = `bench_${runId}_commits`;
  const dir = await mkdtemp(join(tmpdir(), 'bench-pgbench-'));
  try {
    await createDatabaseIfMissing(adminUrl, name);
    const url = databaseUrlOnServer(adminUrl, name);
    await withAdminClient(url, (client) =>
      client.query(
        `CREATE TABLE commit_probe (id bigserial PRIMARY KEY, event_id uuid NOT NULL DEFAULT gen_random_uuid(),
           payload bytea NOT NULL, created_at timestamptz(3) NOT NULL DEFAULT now())`,
      ),
    );
    const script = join(dir, 'single-row-commit.sql');
    // 192 bytes of payload, about an order event's Avro body.
    await writeFile(
      script,
      `\\set n random(1, 1000000000)\nINSERT INTO commit_probe (payload) VALUES (decode(repeat(md5(:n::text), 12), 'hex'));\n`,
    );
    // -n: no vacuum of pgbench's own tables (there are none); the URL is libpq's dbname, expanded.
    const { stdout } = await run('pgbench', [
      '-n',
      '-c',
      String(CLIENTS),
      '-j',
      '2',
      '-T',
      String(SECONDS),
      '-f',
      script,
      url,
    ]);
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
    if (!tps) throw new Error(`could not read pgbench's tps from:\n${stdout}`);
    return { commitsPerSecond: Number(tps), clients: CLIENTS, seconds: SECONDS };
  } finally {
    await dropDatabase(adminUrl, name);
    await rm(dir, { recursive: true, force: true });
  }
}
