import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { waitFor } from './wait-for';

const workspaceRoot = join(__dirname, '..', '..', '..');

export interface ServiceProcessOptions {
  /** `order`, `inventory`, ...: runs `apps/<service>-service/src/main.ts`. */
  service: string;
  /** The app's folder under `apps/` when it is not `<service>-service` (the order console). */
  app?: string;
  /** Which instance of its service this is, from 0 (default 0): names it in logs and reports. */
  instance?: number;
  port: number;
  /** The service's settings, on top of this process's environment. */
  env: NodeJS.ProcessEnv;
  /** Forward the service's output to this process's (the demo) instead of keeping it. */
  inheritOutput?: boolean;
  /** Default 120 s: generous, for a busy machine (the wait ends as soon as it is ready). */
  readyTimeoutMs?: number;
  /** Node.js flags before the script, e.g. `--cpu-prof` (none by default). */
  nodeArguments?: readonly string[];
  /**
   * `source` (default): `apps/<app>/src/main.ts` through tsx, so a change needs no build.
   * `bundle`: `dist/apps/<app>/main.js`, the esbuild bundle the images run, as they run it
   * (`node --enable-source-maps`), its packages from the workspace's node_modules. What a
   * benchmark should measure: under tsx every `require()` (kafkajs requires its protocol modules
   * per request) goes through tsx's resolver, a cost production does not pay.
   */
  runFrom?: RunFrom;
}

export type RunFrom = 'source' | 'bundle';

/** The script an app runs from, relative to the workspace root. */
function serviceScript(app: string, runFrom: RunFrom): string {
  return runFrom === 'bundle' ? join('dist', 'apps', app, 'main.js') : join('apps', app, 'src', 'main.ts');
}

/**
 * One service instance as a real OS process. `node --import tsx` rather than the `tsx` CLI: the
 * CLI runs the script in a child process, so a signal (`kill -9` above all) would hit the wrapper
 * and leave the service running.
 */
export class ServiceProcess {
  readonly url: string;
  private child: ChildProcess | undefined;
  private captured = '';
  private spawnedAt: Date | undefined;

  constructor(private readonly options: ServiceProcessOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  get name(): string {
    return this.options.service;
  }

  /** The app it runs: `order-service`, or the `app` option (`order-console`). */
  private get app(): string {
    return this.options.app ?? `${this.options.service}-service`;
  }

  /** `order-service#0`: the app and which of its instances. */
  get label(): string {
    return `${this.app}#${this.options.instance ?? 0}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** When the current (or last) process was spawned. */
  get startedAt(): Date | undefined {
    return this.spawnedAt;
  }

  /** What the process printed (unless inherited): kept to explain a failure. */
  output(): string {
    return this.captured;
  }

  /** Spawns the process and resolves once `/health/ready` answers 200 (database, Kafka, registry). */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.app} on :${this.options.port} is already running`);
    const { port, env, inheritOutput = false, readyTimeoutMs = 120_000 } = this.options;
    const app = this.app;
    const runFrom = this.options.runFrom ?? 'source';
    const script = serviceScript(app, runFrom);
    if (runFrom === 'bundle' && !existsSync(join(workspaceRoot, script))) {
      throw new Error(`${script} does not exist: build it first (npx nx run ${app}:build)`);
    }
    const args = [
      ...(this.options.nodeArguments ?? []),
      ...(runFrom === 'bundle' ? ['--enable-source-maps'] : ['--import', 'tsx']),
      script,
    ];
    const child = spawn(process.execPath, args, {
      cwd: workspaceRoot,
      env: { ...process.env, HOST: '127.0.0.1', ...env, PORT: String(port) },
      stdio: ['ignore', inheritOutput ? 'inherit' : 'pipe', inheritOutput ? 'inherit' : 'pipe'],
    });
    this.child = child;
    this.spawnedAt = new Date();
    child.stdout?.on('data', (chunk: Buffer) => (this.captured += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.captured += chunk.toString()));
    await waitFor(
      `${app} on :${port} to be ready`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`${app} exited (${child.exitCode ?? child.signalCode}):\n${this.captured}`);
        }
        const response = await fetch(`${this.url}/health/ready`).catch(() => undefined);
        return response?.status === 200;
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 200 },
    ).catch((error: unknown) => {
      if (!this.running) throw error; // the exit's error carries the output already
      // Not ready in time but still running: what it printed is the only clue to where it waits.
      const tail = this.captured.split('\n').slice(-40).join('\n');
      throw new Error(`${(error as Error).message}\n--- ${app} output (last 40 lines):\n${tail}`, {
        cause: error,
      });
    });
  }

  /** Graceful stop (SIGTERM: drain, commit, close); SIGKILL if it has not exited in `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** `kill -9`: no shutdown hook runs, as when a machine or container dies. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}
