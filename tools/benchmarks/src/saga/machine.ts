import { readFile } from 'node:fs/promises';
import * as os from 'node:os';

import { withAdminClient } from '@ecommerce/database';

import type { MachineDescription } from './result';

/** What the figures were measured on, recorded with them (the disk and Kafka are in BENCHMARKS.md). */
export async function describeMachine(postgresAdminUrl: string): Promise<MachineDescription> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const settings = await withAdminClient(postgresAdminUrl, async (client) => {
    const show = async (name: string) =>
      String((await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name]);
    return {
      version: await show('server_version'),
      durability: `synchronous_commit=${await show('synchronous_commit')}, fsync=${await show('fsync')}`,
    };
  });
  return {
    cpuModel,
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 2 ** 30,
    postgres: settings.version,
    postgresDurability: settings.durability,
    node: process.version,
    loadAverageAtStart: os.loadavg()[0] ?? NaN,
  };
}
