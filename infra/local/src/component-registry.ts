import * as fs from 'node:fs';
import * as path from 'node:path';
import { findProcessesWithArgs, isProcessAlive, readCommandLine } from './detached-process';

/**
 * Book-keeping for the long-running JVMs: where their pid file and log live, and how to tell a
 * process is really one this module started for this state dir (and not a recycled pid or
 * someone else's Kafka): every JVM gets marker system properties on its command line.
 */

export type ComponentName = 'kafka' | 'schema-registry';

export const COMPONENT_LABELS: Record<ComponentName, string> = {
  kafka: 'Kafka broker',
  'schema-registry': 'Schema registry (Apicurio)',
};

export interface RunningComponent {
  readonly pid: number;
  /** Ports it was started with (from its markers), to detect a request for different ports. */
  readonly ports: readonly number[];
}

export function pidFileOf(stateDir: string, name: ComponentName): string {
  return path.join(stateDir, `${name}.pid`);
}

export function logFileOf(stateDir: string, name: ComponentName): string {
  return path.join(stateDir, 'logs', `${name}.log`);
}

const COMPONENT_PROP = '-Decommerce.localInfra.component=';
const STATE_DIR_PROP = '-Decommerce.localInfra.stateDir=';
const PORTS_PROP = '-Decommerce.localInfra.ports=';

function identityMarkers(stateDir: string, name: ComponentName): string[] {
  return [`${COMPONENT_PROP}${name}`, `${STATE_DIR_PROP}${stateDir}`];
}

/** JVM arguments that tag the process; the JVM ignores unknown system properties. */
export function ownershipJvmArgs(stateDir: string, name: ComponentName, ports: readonly number[]): string[] {
  return [...identityMarkers(stateDir, name), `${PORTS_PROP}${ports.join(',')}`];
}

function isOurs(pid: number, stateDir: string, name: ComponentName): boolean {
  if (!isProcessAlive(pid)) return false;
  const args = readCommandLine(pid);
  return args !== undefined && identityMarkers(stateDir, name).every((marker) => args.includes(marker));
}

function portsOf(pid: number): number[] {
  const arg = readCommandLine(pid)?.find((a) => a.startsWith(PORTS_PROP));
  return arg === undefined ? [] : arg.slice(PORTS_PROP.length).split(',').map(Number);
}

function readPid(stateDir: string, name: ComponentName): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(pidFileOf(stateDir, name), 'utf8').trim();
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function writePidFile(stateDir: string, name: ComponentName, pid: number): void {
  fs.writeFileSync(pidFileOf(stateDir, name), `${pid}\n`);
}

export function removePidFile(stateDir: string, name: ComponentName): void {
  fs.rmSync(pidFileOf(stateDir, name), { force: true });
}

/**
 * Every live process of this component for this state dir: the pid file's, plus any whose pid
 * file was lost (found by scanning command lines), so `down` can leave nothing behind.
 */
export function findComponentPids(stateDir: string, name: ComponentName): number[] {
  const pids = new Set<number>();
  const recorded = readPid(stateDir, name);
  if (recorded !== undefined && isOurs(recorded, stateDir, name)) pids.add(recorded);
  for (const pid of findProcessesWithArgs(identityMarkers(stateDir, name))) pids.add(pid);
  return [...pids];
}

/**
 * The running instance, if any. A pid file that points at a dead or foreign process is removed;
 * an instance that lost its pid file gets it back.
 */
export function findRunningComponent(stateDir: string, name: ComponentName): RunningComponent | undefined {
  const recorded = readPid(stateDir, name);
  const [pid] = findComponentPids(stateDir, name);
  if (pid === undefined) {
    // Stale (dead or recycled pid) or unreadable: it must not mislead the next `up`/`down`.
    removePidFile(stateDir, name);
    return undefined;
  }
  if (recorded !== pid) writePidFile(stateDir, name, pid);
  return { pid, ports: portsOf(pid) };
}
