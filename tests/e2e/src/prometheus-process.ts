import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '@ecommerce/local-infra';
import { waitFor } from '@ecommerce/test-infra';

/** Debian's Prometheus (`apt-get install prometheus`; `.ci/run` installs it when absent). */
const PROMETHEUS = process.env['PROMETHEUS_PATH'] ?? '/usr/bin/prometheus';

export interface ScrapeTarget {
  job: string;
  /** `http://127.0.0.1:port` of an instance serving `/metrics`. */
  url: string;
}

export interface RunningPrometheus {
  url: string;
  /** An instant query's result vector (empty: no series). */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  get<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/**
 * The real Prometheus binary as a process of the test, scraping the given targets every second,
 * with the given rule files, its data in a temporary folder removed at stop.
 */
export async function startPrometheus(options: {
  targets: ScrapeTarget[];
  ruleFiles?: string[];
}): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  const port = await freePort();
  const jobs = new Map<string, string[]>();
  for (const { job, url } of options.targets) jobs.set(job, [...(jobs.get(job) ?? []), new URL(url).host]);
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [...jobs].map(([job, hosts]) => ({
      job_name: job,
      static_configs: [{ targets: hosts }],
    })),
  };
  // JSON is YAML: no YAML library needed to write the configuration.
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('Prometheus to be ready', async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${output}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  return {
    url,
    get,
    query: async (expr) =>
      (
        await get<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}`,
        )
      ).result,
    stop,
  };
}
