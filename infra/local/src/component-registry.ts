import * as fs from 'node:fs';
import * as path from 'node:path';
import { findProcesses, isProcessAlive, readCommandLine } from './detached-process';

/**
 * Book-keeping for the long-running JVMs: where their pid file and log live, and how to tell a
 * process is really one this module started for this state dir (and not a recycled pid or
 * someone else's Kafka): every JVM gets marker system properties on its command line.
 */

export type ComponentName = 'kafka' | 'schema-registry';

/** One managed process: the schema registry, or one Kafka node (a broker and a KRaft controller). */
export type ComponentProcess =
  { readonly name: 'schema-registry' } | { readonly name: 'kafka'; readonly nodeId: number };

export const SCHEMA_REGISTRY: ComponentProcess = { name: 'schema-registry' };

export function kafkaNode(nodeId: number): ComponentProcess {
  return { name: 'kafka', nodeId };
}

export function labelOf(process: ComponentProcess): string {
  return process.name === 'kafka' ? `Kafka node ${process.nodeId}` : 'Schema registry (Apicurio)';
}

/** Names its pid file, its log and its marker: "schema-registry", "kafka-1", "kafka-2"... */
function keyOf(process: ComponentProcess): string {
  return process.name === 'kafka' ? `kafka-${process.nodeId}` : process.name;
}

export interface RunningComponent {
  readonly pid: number;
  /** Ports it was started with (from its markers), to detect a request for different ports. */
  readonly ports: readonly number[];
  /** Release it runs; undefined for a process started before versions were recorded. */
  readonly version: string | undefined;
}

export function pidFileOf(stateDir: string, process: ComponentProcess): string {
  return path.join(stateDir, `${keyOf(process)}.pid`);
}

export function logFileOf(stateDir: string, process: ComponentProcess): string {
  return path.join(stateDir, 'logs', `${keyOf(process)}.log`);
}

const COMPONENT_PROP = '-Decommerce.localInfra.component=';
const STATE_DIR_PROP = '-Decommerce.localInfra.stateDir=';
const PORTS_PROP = '-Decommerce.localInfra.ports=';
const VERSION_PROP = '-Decommerce.localInfra.version=';

/**
 * The single broker of a stack started before cluster mode was marked "kafka" without a node id:
 * it is node 1, so `status` and `down` still find it.
 */
const LEGACY_KAFKA_MARKER = 'kafka';

/** JVM arguments that tag the process; the JVM ignores unknown system properties. */
export function ownershipJvmArgs(
  stateDir: string,
  process: ComponentProcess,
  ports: readonly number[],
  version: string,
): string[] {
  return [
    `${COMPONENT_PROP}${keyOf(process)}`,
    `${STATE_DIR_PROP}${stateDir}`,
    `${PORTS_PROP}${ports.join(',')}`,
    `${VERSION_PROP}${version}`,
  ];
}

function markerValue(args: readonly string[], prop: string): string | undefined {
  return args.find((arg) => arg.startsWith(prop))?.slice(prop.length);
}

/** The managed process these arguments belong to, if they carry this state dir's markers. */
function processOf(args: readonly string[], stateDir: string): ComponentProcess | undefined {
  if (!args.includes(`${STATE_DIR_PROP}${stateDir}`)) return undefined;
  const key = markerValue(args, COMPONENT_PROP);
  if (key === SCHEMA_REGISTRY.name) return SCHEMA_REGISTRY;
  if (key === LEGACY_KAFKA_MARKER) return kafkaNode(1);
  const nodeId = /^kafka-(\d+)$/.exec(key ?? '')?.[1];
  return nodeId === undefined ? undefined : kafkaNode(Number(nodeId));
}

export function isSameProcess(a: ComponentProcess | undefined, b: ComponentProcess): boolean {
  return a !== undefined && keyOf(a) === keyOf(b);
}

function isOurs(pid: number, stateDir: string, process: ComponentProcess): boolean {
  if (!isProcessAlive(pid)) return false;
  const args = readCommandLine(pid);
  return args !== undefined && isSameProcess(processOf(args, stateDir), process);
}

function describeRunning(pid: number): RunningComponent {
  const args = readCommandLine(pid) ?? [];
  const ports = markerValue(args, PORTS_PROP);
  return {
    pid,
    ports: ports === undefined ? [] : ports.split(',').map(Number),
    version: markerValue(args, VERSION_PROP),
  };
}

function readPid(stateDir: string, process: ComponentProcess): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(pidFileOf(stateDir, process), 'utf8').trim();
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function writePidFile(stateDir: string, process: ComponentProcess, pid: number): void {
  fs.writeFileSync(pidFileOf(stateDir, process), `${pid}\n`);
}

export function removePidFile(stateDir: string, process: ComponentProcess): void {
  fs.rmSync(pidFileOf(stateDir, process), { force: true });
}

/**
 * Every live process of this component for this state dir: the pid file's, plus any whose pid
 * file was lost (found by scanning command lines), so `down` can leave nothing behind.
 */
export function findComponentPids(stateDir: string, process: ComponentProcess): number[] {
  const pids = new Set<number>();
  const recorded = readPid(stateDir, process);
  if (recorded !== undefined && isOurs(recorded, stateDir, process)) pids.add(recorded);
  for (const pid of findProcesses((args) => isSameProcess(processOf(args, stateDir), process))) pids.add(pid);
  return [...pids];
}

/**
 * Ids of every Kafka node running for this state dir, whatever the current settings say: a
 * cluster started with three nodes is still stopped whole by a `down` that asks for one.
 */
export function runningKafkaNodeIds(stateDir: string): number[] {
  const ids = new Set<number>();
  for (const pid of findProcesses((args) => processOf(args, stateDir)?.name === 'kafka')) {
    const found = processOf(readCommandLine(pid) ?? [], stateDir);
    if (found?.name === 'kafka') ids.add(found.nodeId);
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * The running instance, if any. A pid file that points at a dead or foreign process is removed;
 * an instance that lost its pid file gets it back.
 */
export function findRunningComponent(
  stateDir: string,
  process: ComponentProcess,
): RunningComponent | undefined {
  const recorded = readPid(stateDir, process);
  const [pid] = findComponentPids(stateDir, process);
  if (pid === undefined) {
    // Stale (dead or recycled pid) or unreadable: it must not mislead the next `up`/`down`.
    removePidFile(stateDir, process);
    return undefined;
  }
  if (recorded !== pid) writePidFile(stateDir, process, pid);
  return describeRunning(pid);
}
