import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { freePort } from '@ecommerce/local-infra';

const execFileAsync = promisify(execFile);

/** Debian's PostgreSQL 15 server binaries (INFRA-NOTES: there for private clusters). */
const POSTGRES_BIN = process.env['POSTGRES_BIN'] ?? '/usr/lib/postgresql/15/bin';
/** initdb refuses to run as root: as root, the cluster belongs to this user. */
const CLUSTER_OWNER = 'postgres';

/**
 * A PostgreSQL cluster of its own (initdb in a temporary folder, a free port, trust auth on
 * loopback), so a chaos run can restart "the database server" without touching the shared one.
 */
export class PrivatePostgres {
  private constructor(
    private readonly dataDir: string,
    private readonly root: string,
    readonly port: number,
  ) {}

  /** Creates and starts the cluster; `stop()` removes it. */
  static async start(): Promise<PrivatePostgres> {
    const root = mkdtempSync(join(tmpdir(), 'chaos-postgres-'));
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const asRoot = userInfo().uid === 0;
    if (asRoot) {
      const owner = await ownerIds();
      chownSync(root, owner.uid, owner.gid);
      chownSync(dataDir, owner.uid, owner.gid);
    }
    const cluster = new PrivatePostgres(dataDir, root, await freePort());
    try {
      await cluster.run('initdb', [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--no-sync',
      ]);
      await cluster.pgCtl('start', []);
    } catch (error) {
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
    return cluster;
  }

  /** The maintenance database URL (trust auth, user postgres). */
  get adminUrl(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  url(database: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /**
   * `pg_ctl restart -m immediate`: every backend is killed without a checkpoint, as when the server
   * crashes, and the restart replays the WAL. Resolves once the server accepts connections again.
   */
  async restart(): Promise<void> {
    await this.pgCtl('restart', ['-m', 'immediate']);
  }

  /** Stops the server (unless it is already down, e.g. after Ctrl-C reached it) and deletes the cluster. */
  async stop(): Promise<void> {
    try {
      if (existsSync(join(this.dataDir, 'postmaster.pid'))) await this.pgCtl('stop', ['-m', 'fast']);
    } finally {
      rmSync(this.root, { recursive: true, force: true });
    }
  }

  private pgCtl(action: string, args: string[]): Promise<void> {
    const options = [
      `-c port=${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dataDir}`,
      // Ten service instances, each with its pools, relay and lock sessions.
      '-c max_connections=300',
      // Durability against an OS crash is not under test; a server crash (immediate stop) still
      // loses no committed transaction, since the WAL reached the kernel at commit.
      '-c fsync=off',
    ].join(' ');
    return this.run('pg_ctl', [
      action,
      '-D',
      this.dataDir,
      '-w',
      '-t',
      '60',
      '-l',
      join(this.root, 'server.log'),
      '-o',
      options,
      ...args,
    ]);
  }

  /** Runs a server binary, as the cluster owner when this process is root. */
  private async run(binary: string, args: string[]): Promise<void> {
    const path = join(POSTGRES_BIN, binary);
    const [command, commandArgs] =
      userInfo().uid === 0 ? ['runuser', ['-u', CLUSTER_OWNER, '--', path, ...args]] : [path, args];
    try {
      await execFileAsync(command, commandArgs, { cwd: this.root, timeout: 120_000 });
    } catch (error) {
      const output = error as { stdout?: string; stderr?: string };
      throw new Error(
        `${binary} ${args[0] ?? ''} failed: ${output.stderr || output.stdout || String(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}

async function ownerIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all(
    ['-u', '-g'].map(async (flag) =>
      Number((await execFileAsync('id', [flag, CLUSTER_OWNER])).stdout.trim()),
    ),
  );
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new Error(`no user ${CLUSTER_OWNER} to own the cluster`);
  return { uid: uid as number, gid: gid as number };
}
