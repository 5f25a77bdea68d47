import { databaseUrlOnServer } from '@ecommerce/database';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  COMPONENT_LABELS,
  findComponentPids,
  findRunningComponent,
  logFileOf,
  removePidFile,
  writePidFile,
  type ComponentName,
  type RunningComponent,
} from './component-registry';
import { residentMemoryMiB, stopProcess, type StopOutcome } from './detached-process';
import type { JavaRuntime } from './java-runtime';
import {
  kafkaBrokers,
  kafkaDataDir,
  kafkaDistribution,
  kafkaPorts,
  probeKafka,
  startKafkaBroker,
} from './kafka-broker';
import {
  resolveLocalInfraConfig,
  type LocalInfraConfig,
  type LocalInfraOptions,
  type PortSetting,
} from './local-infra-config';
import { LocalInfraError } from './local-infra-error';
import { ensureMavenDistribution } from './maven-distribution';
import { checkPostgresReachable, ensureDatabases, redactUrl } from './postgres-databases';
import { preflight } from './preflight';
import { waitUntilReady, type ReadinessWait } from './readiness';
import {
  probeSchemaRegistry,
  schemaRegistryDistribution,
  schemaRegistryPorts,
  schemaRegistryUrl,
  schemaRegistryWorkDir,
  startSchemaRegistry,
} from './schema-registry';
import { withStateLock } from './state-lock';

export interface LocalInfraEndpoints {
  /** bootstrap servers, e.g. 127.0.0.1:9092 */
  readonly kafkaBrokers: string;
  /** Confluent-compatible API root, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  readonly schemaRegistryUrl: string;
  /** database name -> connection URL */
  readonly databaseUrls: Readonly<Record<string, string>>;
}

export interface LocalInfraUpResult extends LocalInfraEndpoints {
  /** True when this call started Kafka and/or the registry; false when both were already running. */
  readonly startedNow: boolean;
}

export interface ComponentStatus {
  readonly name: ComponentName;
  readonly running: boolean;
  readonly pid: number | undefined;
  readonly ports: readonly number[];
  readonly rssMiB: number | undefined;
  readonly logFile: string;
}

export interface LocalInfraStatus {
  readonly kafka: ComponentStatus;
  readonly schemaRegistry: ComponentStatus;
  /** Not managed here, only reported. */
  readonly postgres: {
    readonly reachable: boolean;
    readonly adminUrl: string;
    readonly problem: string | undefined;
  };
  /** Where the parts are (or would be) reachable with the current settings. */
  readonly endpoints: LocalInfraEndpoints;
}

export interface StoppedComponent {
  readonly name: ComponentName;
  readonly pid: number;
  readonly outcome: StopOutcome;
}

/** How long each JVM gets to exit on SIGTERM before SIGKILL (Kafka does a controlled shutdown). */
const STOP_GRACE_MS: Record<ComponentName, number> = { kafka: 30_000, 'schema-registry': 15_000 };

/**
 * Starts whatever is not running yet (Kafka, schema registry), creates the databases, runs the
 * afterDatabasesReady hook, and resolves once every part answers. Idempotent: with everything
 * already running it only re-checks readiness (and re-runs the hook).
 */
export async function localInfraUp(options: LocalInfraOptions = {}): Promise<LocalInfraUpResult> {
  const config = resolveLocalInfraConfig(options);
  fs.mkdirSync(path.join(config.stateDir, 'logs'), { recursive: true });
  return withStateLock(config.stateDir, () => up(config));
}

/** Stops exactly what `up` started for this state dir and deletes the Kafka data. No-op when nothing runs. */
export async function localInfraDown(options: LocalInfraOptions = {}): Promise<StoppedComponent[]> {
  const config = resolveLocalInfraConfig(options);
  if (!fs.existsSync(config.stateDir)) return [];
  return withStateLock(config.stateDir, () => down(config));
}

/**
 * Stops only the Kafka broker (controlled shutdown) and keeps its data: the next `localInfraUp`
 * starts it again with its topics and committed offsets, the registry untouched. For chaos runs,
 * which take the broker away under load. No-op when it is not running.
 */
export async function localKafkaStop(options: LocalInfraOptions = {}): Promise<StoppedComponent[]> {
  const config = resolveLocalInfraConfig(options);
  if (!fs.existsSync(config.stateDir)) return [];
  return withStateLock(config.stateDir, () => stopComponent(config, 'kafka'));
}

export async function localInfraStatus(options: LocalInfraOptions = {}): Promise<LocalInfraStatus> {
  const config = resolveLocalInfraConfig(options);
  let postgresProblem: string | undefined;
  try {
    await checkPostgresReachable(config.postgresAdminUrl);
  } catch (error: unknown) {
    if (!(error instanceof LocalInfraError)) throw error;
    postgresProblem = error.message;
  }
  return {
    kafka: componentStatus(config, 'kafka'),
    schemaRegistry: componentStatus(config, 'schema-registry'),
    postgres: {
      reachable: postgresProblem === undefined,
      adminUrl: redactUrl(config.postgresAdminUrl),
      problem: postgresProblem,
    },
    endpoints: {
      kafkaBrokers: kafkaBrokers(config),
      schemaRegistryUrl: schemaRegistryUrl(config),
      databaseUrls: Object.fromEntries(
        config.databases.map((db) => [db, databaseUrlOnServer(config.postgresAdminUrl, db)]),
      ),
    },
  };
}

async function up(config: LocalInfraConfig): Promise<LocalInfraUpResult> {
  const runningKafka = findRunningComponent(config.stateDir, 'kafka');
  const runningRegistry = findRunningComponent(config.stateDir, 'schema-registry');
  assertRunningOnRequestedPorts('kafka', runningKafka, [config.kafkaPort, config.kafkaControllerPort]);
  assertRunningOnRequestedPorts('schema-registry', runningRegistry, [config.schemaRegistryPort]);

  const plan = { startKafka: runningKafka === undefined, startSchemaRegistry: runningRegistry === undefined };
  const checked = await preflight(config, plan);

  // One after the other: two Maven runs writing the same local repository can corrupt it.
  if (plan.startKafka) {
    const java = required(checked.kafkaJava);
    await ensureMavenDistribution(kafkaDistribution(config), checked.mvnPath, java, config.log);
  }
  if (plan.startSchemaRegistry) {
    const java = required(checked.schemaRegistryJava);
    await ensureMavenDistribution(schemaRegistryDistribution(config), checked.mvnPath, java, config.log);
  }

  const startedNow: Array<{ name: ComponentName; pid: number }> = [];
  try {
    const kafkaPid =
      runningKafka?.pid ??
      (await startComponent(config, 'kafka', required(checked.kafkaJava), startKafkaBroker, startedNow));
    const registryPid =
      runningRegistry?.pid ??
      (await startComponent(
        config,
        'schema-registry',
        required(checked.schemaRegistryJava),
        startSchemaRegistry,
        startedNow,
      ));

    // Databases and the migration hook run while the JVMs boot. The first failure aborts the other
    // waits (they rethrow that same error), so `up` fails at once instead of at the deadline.
    const brokers = kafkaBrokers(config);
    const registryUrl = schemaRegistryUrl(config);
    const abort = new AbortController();
    const abortOthersOnFailure = <T>(step: Promise<T>): Promise<T> =>
      step.catch((error: unknown) => {
        if (!abort.signal.aborted) abort.abort(error);
        throw error;
      });
    const [kafkaReady, registryReady, databases] = await Promise.allSettled([
      abortOthersOnFailure(
        waitUntilReady(readiness(config, 'kafka', kafkaPid, () => probeKafka(brokers), abort.signal)),
      ),
      abortOthersOnFailure(
        waitUntilReady(
          readiness(
            config,
            'schema-registry',
            registryPid,
            () => probeSchemaRegistry(registryUrl),
            abort.signal,
          ),
        ),
      ),
      abortOthersOnFailure(prepareDatabases(config)),
    ]);
    // Distinct errors only: aborted waits rethrow the error that aborted them.
    const failures = [
      ...new Set(
        [kafkaReady, registryReady, databases].flatMap((result) =>
          result.status === 'rejected' ? [result.reason as unknown] : [],
        ),
      ),
    ];
    if (failures.length > 0 || databases.status === 'rejected') throw combineFailures(failures);
    return {
      kafkaBrokers: brokers,
      schemaRegistryUrl: registryUrl,
      databaseUrls: databases.value,
      startedNow: startedNow.length > 0,
    };
  } catch (error: unknown) {
    // Do not leave half a stack behind: stop what this call started (not what was running before).
    for (const { name, pid } of startedNow) {
      config.log(`stopping ${COMPONENT_LABELS[name]} (pid ${pid}) after the failed start`);
      await stopProcess(pid, STOP_GRACE_MS[name]);
      removePidFile(config.stateDir, name);
    }
    if (startedNow.some(({ name }) => name === 'kafka')) {
      fs.rmSync(kafkaDataDir(config.stateDir), { recursive: true, force: true });
    }
    if (startedNow.some(({ name }) => name === 'schema-registry')) {
      fs.rmSync(schemaRegistryWorkDir(config.stateDir), { recursive: true, force: true });
    }
    throw error;
  }
}

async function startComponent(
  config: LocalInfraConfig,
  name: ComponentName,
  java: JavaRuntime,
  start: (config: LocalInfraConfig, java: JavaRuntime) => Promise<number>,
  startedNow: Array<{ name: ComponentName; pid: number }>,
): Promise<number> {
  config.log(`starting ${COMPONENT_LABELS[name]} with Java ${java.version} (${java.javaPath})`);
  const pid = await start(config, java);
  // Recorded before waiting for readiness, so `down` can stop it even if this `up` is interrupted.
  writePidFile(config.stateDir, name, pid);
  startedNow.push({ name, pid });
  return pid;
}

function readiness(
  config: LocalInfraConfig,
  name: ComponentName,
  pid: number,
  probe: ReadinessWait['probe'],
  signal: AbortSignal,
): ReadinessWait {
  const logFile = logFileOf(config.stateDir, name);
  return { label: COMPONENT_LABELS[name], pid, logFile, timeoutMs: config.readyTimeoutMs, probe, signal };
}

async function prepareDatabases(config: LocalInfraConfig): Promise<Record<string, string>> {
  const databaseUrls = await ensureDatabases(config.postgresAdminUrl, config.databases, config.log);
  if (config.afterDatabasesReady !== undefined) {
    // ── HOOK: the caller's post-database step (migrations) runs here, on every `up`. ──
    try {
      await config.afterDatabasesReady({ ...databaseUrls });
    } catch (error: unknown) {
      throw new Error(
        `afterDatabasesReady failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  return databaseUrls;
}

async function down(config: LocalInfraConfig): Promise<StoppedComponent[]> {
  const names: ComponentName[] = ['schema-registry', 'kafka'];
  const stopped = await Promise.all(names.map((name) => stopComponent(config, name)));
  // Fresh state on the next `up`: topics, offsets and registered schemas do not survive `down`.
  fs.rmSync(kafkaDataDir(config.stateDir), { recursive: true, force: true });
  fs.rmSync(schemaRegistryWorkDir(config.stateDir), { recursive: true, force: true });
  return stopped.flat();
}

async function stopComponent(config: LocalInfraConfig, name: ComponentName): Promise<StoppedComponent[]> {
  const stopped: StoppedComponent[] = [];
  for (const pid of findComponentPids(config.stateDir, name)) {
    config.log(`stopping ${COMPONENT_LABELS[name]} (pid ${pid})`);
    stopped.push({ name, pid, outcome: await stopProcess(pid, STOP_GRACE_MS[name]) });
  }
  removePidFile(config.stateDir, name);
  return stopped;
}

function componentStatus(config: LocalInfraConfig, name: ComponentName): ComponentStatus {
  const running = findRunningComponent(config.stateDir, name);
  return {
    name,
    running: running !== undefined,
    pid: running?.pid,
    ports: running?.ports ?? (name === 'kafka' ? kafkaPorts(config) : schemaRegistryPorts(config)),
    rssMiB: running === undefined ? undefined : residentMemoryMiB(running.pid),
    logFile: logFileOf(config.stateDir, name),
  };
}

/** A second `up` asking for other ports than the running instance uses must not report wrong URLs. */
function assertRunningOnRequestedPorts(
  name: ComponentName,
  running: RunningComponent | undefined,
  requested: readonly PortSetting[],
): void {
  if (running === undefined) return;
  const wanted = requested.map((setting) => setting.port);
  if (wanted.every((port, index) => running.ports[index] === port)) return;
  throw new LocalInfraError(
    `${COMPONENT_LABELS[name]} is already running (pid ${running.pid}) on port(s) ${running.ports.join(', ')}, ` +
      `but ${requested.map((s) => `${s.envVar}=${s.port}`).join(', ')} was requested. ` +
      'Run `down` first, or use the running ports.',
  );
}

function combineFailures(failures: readonly unknown[]): unknown {
  const [first] = failures;
  if (failures.length === 1) return first;
  if (failures.every((failure) => failure instanceof LocalInfraError)) {
    return new LocalInfraError(failures.map((failure) => (failure as LocalInfraError).message).join('\n\n'));
  }
  // A non-LocalInfraError is a bug or a hook failure: surface it with its stack.
  return failures.find((failure) => !(failure instanceof LocalInfraError)) ?? first;
}

/** Preflight guarantees a value whenever the plan needs it; this turns a broken guarantee into a clear bug. */
function required<T>(value: T | undefined): T {
  if (value === undefined)
    throw new Error('internal error: preflight did not provide a required Java runtime');
  return value;
}
