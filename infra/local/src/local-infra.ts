import { databaseUrlOnServer } from '@ecommerce/database';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  findComponentPids,
  findRunningComponent,
  isSameProcess,
  kafkaNode,
  labelOf,
  logFileOf,
  removePidFile,
  runningKafkaNodeIds,
  SCHEMA_REGISTRY,
  writePidFile,
  type ComponentName,
  type ComponentProcess,
  type RunningComponent,
} from './component-registry';
import { killProcess, residentMemoryMiB, stopProcess, type StopOutcome } from './detached-process';
import type { JavaRuntime } from './java-runtime';
import {
  kafkaBrokers,
  kafkaDistribution,
  kafkaNodeDataDir,
  kafkaNodePorts,
  kafkaStateDir,
  localClusterReplication,
  prepareClusterRecord,
  probeKafkaNode,
  startKafkaNode,
} from './kafka-broker';
import {
  APICURIO_REGISTRY_VERSION,
  resolveLocalInfraConfig,
  type KafkaNodeConfig,
  type LocalInfraConfig,
  type LocalInfraOptions,
  type PortSetting,
} from './local-infra-config';
import { LocalInfraError } from './local-infra-error';
import { ensureMavenDistribution } from './maven-distribution';
import { checkPostgresReachable, ensureDatabases, redactUrl } from './postgres-databases';
import { preflight, type PreflightResult, type StartPlan } from './preflight';
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
  /** bootstrap servers, e.g. 127.0.0.1:9092 (every node of a cluster, comma-separated) */
  readonly kafkaBrokers: string;
  /**
   * The replication factor services should create their topics with (KAFKA_REPLICATION_FACTOR):
   * 1 on a single broker, 3 on a cluster of three or more (whose brokers require 2 in-sync replicas).
   */
  readonly kafkaReplicationFactor: number;
  /** Confluent-compatible API root, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  readonly schemaRegistryUrl: string;
  /** database name -> connection URL */
  readonly databaseUrls: Readonly<Record<string, string>>;
}

export interface LocalInfraUpResult extends LocalInfraEndpoints {
  /** True when this call started a Kafka node and/or the registry; false when all were already running. */
  readonly startedNow: boolean;
}

export interface ComponentStatus {
  readonly name: ComponentName;
  /** Kafka's node.id for a Kafka node; undefined for the registry. */
  readonly nodeId: number | undefined;
  readonly label: string;
  readonly running: boolean;
  readonly pid: number | undefined;
  readonly ports: readonly number[];
  /** Release the running process was started as (undefined when stopped, or started by an older infra/local). */
  readonly version: string | undefined;
  readonly rssMiB: number | undefined;
  readonly logFile: string;
}

export interface LocalInfraStatus {
  /** The Kafka release the settings ask for. */
  readonly kafkaVersion: string;
  /** Every configured node, plus any other node still running for this state dir. */
  readonly kafkaNodes: readonly ComponentStatus[];
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
  /** Kafka's node.id for a Kafka node; undefined for the registry. */
  readonly nodeId: number | undefined;
  readonly pid: number;
  readonly outcome: StopOutcome;
}

/** How long each JVM gets to exit on SIGTERM before SIGKILL (Kafka does a controlled shutdown). */
const STOP_GRACE_MS: Record<ComponentName, number> = { kafka: 30_000, 'schema-registry': 15_000 };

/**
 * Starts whatever is not running yet (every Kafka node, the schema registry), creates the
 * databases, runs the afterDatabasesReady hook, and resolves once every part answers. Idempotent:
 * with everything already running it only re-checks readiness (and re-runs the hook); with one
 * node of a cluster down, it starts that node again on its data.
 */
export async function localInfraUp(options: LocalInfraOptions = {}): Promise<LocalInfraUpResult> {
  const config = resolveLocalInfraConfig(options);
  fs.mkdirSync(path.join(config.stateDir, 'logs'), { recursive: true });
  return withStateLock(config.stateDir, () => up(config));
}

/**
 * Stops exactly what `up` started for this state dir (every Kafka node that runs for it, whatever
 * the current broker count) and deletes the Kafka data. No-op when nothing runs.
 */
export async function localInfraDown(options: LocalInfraOptions = {}): Promise<StoppedComponent[]> {
  const config = resolveLocalInfraConfig(options);
  if (!fs.existsSync(config.stateDir)) return [];
  return withStateLock(config.stateDir, () => down(config));
}

/**
 * Stops every Kafka node (controlled shutdown) and keeps the data: the next `localInfraUp` starts
 * them again with their topics and committed offsets, the registry untouched. For chaos runs,
 * which take the broker away under load. No-op when none is running.
 */
export async function localKafkaStop(options: LocalInfraOptions = {}): Promise<StoppedComponent[]> {
  const config = resolveLocalInfraConfig(options);
  if (!fs.existsSync(config.stateDir)) return [];
  return withStateLock(config.stateDir, () => stopKafkaNodes(config, runningKafkaNodeIds(config.stateDir)));
}

/**
 * Stops one Kafka node of the cluster with a controlled shutdown (it hands its partition
 * leadership over first) and keeps its data. `localKafkaBrokerStart` or `localInfraUp` brings it back.
 */
export async function localKafkaBrokerStop(
  options: LocalInfraOptions,
  nodeId: number,
): Promise<StoppedComponent[]> {
  const config = resolveLocalInfraConfig(options);
  configuredNode(config, nodeId);
  return withStateLock(config.stateDir, () => stopKafkaNodes(config, [nodeId]));
}

/**
 * `kill -9` of one Kafka node: a crash, no controlled shutdown, so the partitions it led have no
 * leader until the controller notices the node is gone (broker.session.timeout.ms, 9 s by default)
 * and elects a new one from the in-sync replicas. Its data is kept, as a crashed machine's disk is.
 */
export async function localKafkaBrokerKill(
  options: LocalInfraOptions,
  nodeId: number,
): Promise<StoppedComponent[]> {
  const config = resolveLocalInfraConfig(options);
  configuredNode(config, nodeId);
  return withStateLock(config.stateDir, async () => {
    const process = kafkaNode(nodeId);
    const stopped: StoppedComponent[] = [];
    for (const pid of findComponentPids(config.stateDir, process)) {
      config.log(`killing ${labelOf(process)} (pid ${pid}) with SIGKILL`);
      stopped.push({ name: 'kafka', nodeId, pid, outcome: await killProcess(pid) });
    }
    removePidFile(config.stateDir, process);
    return stopped;
  });
}

/**
 * Starts one stopped or killed Kafka node again on its data and resolves once the cluster lists it
 * as a live broker. Unlike `localInfraUp` it touches nothing else (not the registry, not
 * PostgreSQL). Returns false when the node was already running.
 */
export async function localKafkaBrokerStart(options: LocalInfraOptions, nodeId: number): Promise<boolean> {
  const config = resolveLocalInfraConfig(options);
  const node = configuredNode(config, nodeId);
  return withStateLock(config.stateDir, async () => {
    const running = findRunningComponent(config.stateDir, kafkaNode(nodeId));
    if (running !== undefined) {
      assertRunningAsRequested(kafkaNode(nodeId), running, [node.clientPort, node.controllerPort], config);
      return false;
    }
    const plan: StartPlan = { kafkaNodesToStart: [node], startSchemaRegistry: false, checkPostgres: false };
    await startAndAwait(config, plan, await preflight(config, plan), {
      kafkaNodes: [node],
      schemaRegistry: false,
      alongside: async () => undefined,
    });
    return true;
  });
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
  const configuredIds = config.kafkaNodes.map((node) => node.nodeId);
  const extraIds = runningKafkaNodeIds(config.stateDir).filter((id) => !configuredIds.includes(id));
  return {
    kafkaVersion: config.kafkaRelease.version,
    kafkaNodes: [
      ...config.kafkaNodes.map((node) =>
        componentStatus(config, kafkaNode(node.nodeId), kafkaNodePorts(node)),
      ),
      ...extraIds.map((id) => componentStatus(config, kafkaNode(id), [])),
    ],
    schemaRegistry: componentStatus(config, SCHEMA_REGISTRY, schemaRegistryPorts(config)),
    postgres: {
      reachable: postgresProblem === undefined,
      adminUrl: redactUrl(config.postgresAdminUrl),
      problem: postgresProblem,
    },
    endpoints: {
      kafkaBrokers: kafkaBrokers(config),
      kafkaReplicationFactor: localClusterReplication(config).replicationFactor,
      schemaRegistryUrl: schemaRegistryUrl(config),
      databaseUrls: Object.fromEntries(
        config.databases.map((db) => [db, databaseUrlOnServer(config.postgresAdminUrl, db)]),
      ),
    },
  };
}

async function up(config: LocalInfraConfig): Promise<LocalInfraUpResult> {
  const configuredIds = config.kafkaNodes.map((node) => node.nodeId);
  const strayNodes = runningKafkaNodeIds(config.stateDir).filter((id) => !configuredIds.includes(id));
  if (strayNodes.length > 0) {
    throw new LocalInfraError(
      `Kafka node(s) ${strayNodes.join(', ')} of a larger cluster are running for ${config.stateDir}, ` +
        `but ${config.kafkaNodes.length} node(s) were requested (LOCAL_KAFKA_BROKERS_COUNT). Run \`down\` first.`,
    );
  }
  const kafkaNodesToStart = config.kafkaNodes.filter((node) => {
    const running = findRunningComponent(config.stateDir, kafkaNode(node.nodeId));
    if (running !== undefined) {
      assertRunningAsRequested(
        kafkaNode(node.nodeId),
        running,
        [node.clientPort, node.controllerPort],
        config,
      );
    }
    return running === undefined;
  });
  const runningRegistry = findRunningComponent(config.stateDir, SCHEMA_REGISTRY);
  if (runningRegistry !== undefined) {
    assertRunningAsRequested(SCHEMA_REGISTRY, runningRegistry, [config.schemaRegistryPort], config);
  }

  const plan: StartPlan = {
    kafkaNodesToStart,
    startSchemaRegistry: runningRegistry === undefined,
    checkPostgres: true,
  };
  const { startedProcesses, alongside: databaseUrls } = await startAndAwait(
    config,
    plan,
    await preflight(config, plan),
    { kafkaNodes: config.kafkaNodes, schemaRegistry: true, alongside: () => prepareDatabases(config) },
  );
  return {
    kafkaBrokers: kafkaBrokers(config),
    kafkaReplicationFactor: localClusterReplication(config).replicationFactor,
    schemaRegistryUrl: schemaRegistryUrl(config),
    databaseUrls,
    startedNow: startedProcesses > 0,
  };
}

interface StartedProcess {
  readonly process: ComponentProcess;
  readonly pid: number;
  /** A Kafka node whose data this start formatted: a failed start deletes that data again. */
  readonly formattedNow: boolean;
}

/** What must answer before a start counts as done, and what runs meanwhile. */
interface AwaitedParts<T> {
  /** Also nodes that were running already: `up` re-checks the whole cluster. */
  readonly kafkaNodes: readonly KafkaNodeConfig[];
  readonly schemaRegistry: boolean;
  /** Runs while the JVMs boot (the databases and the migration hook); its result is returned. */
  readonly alongside: () => Promise<T>;
}

/**
 * Downloads what is missing, starts what the plan says, and waits until the awaited parts answer,
 * while `alongside` runs. The first failure aborts the other waits (they rethrow that same error),
 * so the start fails at once instead of at the deadline, and stops what it started (not what was
 * running before).
 */
async function startAndAwait<T>(
  config: LocalInfraConfig,
  plan: StartPlan,
  checked: PreflightResult,
  awaited: AwaitedParts<T>,
): Promise<{ startedProcesses: number; alongside: T }> {
  const startKafka = plan.kafkaNodesToStart.length > 0;
  // One after the other: two Maven runs writing the same local repository can corrupt it.
  if (startKafka) {
    await ensureMavenDistribution(
      kafkaDistribution(config),
      checked.mvnPath,
      required(checked.kafkaJava),
      config.log,
    );
  }
  if (plan.startSchemaRegistry) {
    const java = required(checked.schemaRegistryJava);
    await ensureMavenDistribution(schemaRegistryDistribution(config), checked.mvnPath, java, config.log);
  }

  const started: StartedProcess[] = [];
  try {
    const clusterId = startKafka ? prepareClusterRecord(config) : '';
    const starts = await Promise.allSettled([
      ...plan.kafkaNodesToStart.map(async (node) => {
        const java = required(checked.kafkaJava);
        logStart(config, kafkaNode(node.nodeId), `Kafka ${config.kafkaRelease.version}`, java);
        const { pid, formattedNow } = await startKafkaNode(config, java, node, clusterId);
        recordStart(config, started, { process: kafkaNode(node.nodeId), pid, formattedNow });
      }),
      ...(plan.startSchemaRegistry
        ? [
            (async () => {
              const java = required(checked.schemaRegistryJava);
              logStart(config, SCHEMA_REGISTRY, `Apicurio Registry ${APICURIO_REGISTRY_VERSION}`, java);
              const pid = await startSchemaRegistry(config, java);
              recordStart(config, started, { process: SCHEMA_REGISTRY, pid, formattedNow: false });
            })(),
          ]
        : []),
    ]);
    const failedStart = starts.find((start) => start.status === 'rejected');
    if (failedStart !== undefined) throw failedStart.reason;

    const abort = new AbortController();
    const abortOthersOnFailure = <R>(step: Promise<R>): Promise<R> =>
      step.catch((error: unknown) => {
        if (!abort.signal.aborted) abort.abort(error);
        throw error;
      });
    // The pid this call started, or the running one's: a JVM that died at once must still be
    // waited on by pid, so that its wait reports the exit and the log instead of a timeout.
    const pidOf = (process: ComponentProcess): number =>
      required(
        started.find((start) => isSameProcess(start.process, process))?.pid ??
          findRunningComponent(config.stateDir, process)?.pid,
      );
    const waits: Array<Promise<unknown>> = [
      ...awaited.kafkaNodes.map((node) =>
        abortOthersOnFailure(
          waitUntilReady(
            readiness(
              config,
              kafkaNode(node.nodeId),
              pidOf(kafkaNode(node.nodeId)),
              () => probeKafkaNode(node),
              abort.signal,
            ),
          ),
        ),
      ),
      ...(awaited.schemaRegistry
        ? [
            abortOthersOnFailure(
              waitUntilReady(
                readiness(
                  config,
                  SCHEMA_REGISTRY,
                  pidOf(SCHEMA_REGISTRY),
                  () => probeSchemaRegistry(schemaRegistryUrl(config)),
                  abort.signal,
                ),
              ),
            ),
          ]
        : []),
    ];
    const alongside = abortOthersOnFailure(awaited.alongside());
    const results = await Promise.allSettled([...waits, alongside]);
    // Distinct errors only: aborted waits rethrow the error that aborted them.
    const failures = [
      ...new Set(
        results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : [])),
      ),
    ];
    if (failures.length > 0) throw combineFailures(failures);
    return { startedProcesses: started.length, alongside: await alongside };
  } catch (error: unknown) {
    await undoStarts(config, started);
    throw error;
  }
}

function logStart(
  config: LocalInfraConfig,
  process: ComponentProcess,
  what: string,
  java: JavaRuntime,
): void {
  config.log(`starting ${labelOf(process)} (${what}) with Java ${java.version} (${java.javaPath})`);
}

/** Recorded before waiting for readiness, so `down` can stop it even if this `up` is interrupted. */
function recordStart(config: LocalInfraConfig, started: StartedProcess[], start: StartedProcess): void {
  writePidFile(config.stateDir, start.process, start.pid);
  started.push(start);
}

/** Do not leave half a stack behind: stop what this call started, and delete the data it formatted. */
async function undoStarts(config: LocalInfraConfig, started: readonly StartedProcess[]): Promise<void> {
  for (const { process, pid } of started) {
    config.log(`stopping ${labelOf(process)} (pid ${pid}) after the failed start`);
    await stopProcess(pid, STOP_GRACE_MS[process.name]);
    removePidFile(config.stateDir, process);
  }
  const formatted = started.flatMap(({ process, formattedNow }) =>
    process.name === 'kafka' && formattedNow ? [process.nodeId] : [],
  );
  if (formatted.length === config.kafkaNodes.length) {
    // A cluster that never came up: nothing of it is kept, so the next `up` may ask for another shape.
    fs.rmSync(kafkaStateDir(config.stateDir), { recursive: true, force: true });
  } else {
    for (const nodeId of formatted) {
      fs.rmSync(path.dirname(kafkaNodeDataDir(config.stateDir, nodeId)), { recursive: true, force: true });
    }
  }
  if (started.some(({ process }) => process.name === 'schema-registry')) {
    fs.rmSync(schemaRegistryWorkDir(config.stateDir), { recursive: true, force: true });
  }
}

function readiness(
  config: LocalInfraConfig,
  process: ComponentProcess,
  pid: number,
  probe: ReadinessWait['probe'],
  signal: AbortSignal,
): ReadinessWait {
  const logFile = logFileOf(config.stateDir, process);
  return { label: labelOf(process), pid, logFile, timeoutMs: config.readyTimeoutMs, probe, signal };
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
  const nodeIds = [
    ...new Set([...config.kafkaNodes.map((node) => node.nodeId), ...runningKafkaNodeIds(config.stateDir)]),
  ];
  const stopped = await Promise.all([
    stopComponent(config, SCHEMA_REGISTRY),
    stopKafkaNodes(config, nodeIds),
  ]);
  // Fresh state on the next `up`: topics, offsets and registered schemas do not survive `down`.
  fs.rmSync(kafkaStateDir(config.stateDir), { recursive: true, force: true });
  fs.rmSync(schemaRegistryWorkDir(config.stateDir), { recursive: true, force: true });
  return stopped.flat();
}

/** All at once: each node's controlled shutdown needs the controller quorum, which the others still form. */
async function stopKafkaNodes(
  config: LocalInfraConfig,
  nodeIds: readonly number[],
): Promise<StoppedComponent[]> {
  const stopped = await Promise.all(nodeIds.map((nodeId) => stopComponent(config, kafkaNode(nodeId))));
  return stopped.flat();
}

async function stopComponent(
  config: LocalInfraConfig,
  process: ComponentProcess,
): Promise<StoppedComponent[]> {
  const stopped: StoppedComponent[] = [];
  for (const pid of findComponentPids(config.stateDir, process)) {
    config.log(`stopping ${labelOf(process)} (pid ${pid})`);
    stopped.push({
      name: process.name,
      nodeId: process.name === 'kafka' ? process.nodeId : undefined,
      pid,
      outcome: await stopProcess(pid, STOP_GRACE_MS[process.name]),
    });
  }
  removePidFile(config.stateDir, process);
  return stopped;
}

function componentStatus(
  config: LocalInfraConfig,
  process: ComponentProcess,
  configuredPorts: readonly number[],
): ComponentStatus {
  const running = findRunningComponent(config.stateDir, process);
  return {
    name: process.name,
    nodeId: process.name === 'kafka' ? process.nodeId : undefined,
    label: labelOf(process),
    running: running !== undefined,
    pid: running?.pid,
    ports: running?.ports ?? configuredPorts,
    version: running?.version,
    rssMiB: running === undefined ? undefined : residentMemoryMiB(running.pid),
    logFile: logFileOf(config.stateDir, process),
  };
}

function configuredNode(config: LocalInfraConfig, nodeId: number): KafkaNodeConfig {
  const node = config.kafkaNodes.find((candidate) => candidate.nodeId === nodeId);
  if (node === undefined) {
    throw new LocalInfraError(
      `There is no Kafka node ${nodeId}: the settings have ${config.kafkaNodes.length} (ids 1-${config.kafkaNodes.length}).`,
    );
  }
  return node;
}

/**
 * A second `up` asking for other ports or another release than the running instance has must not
 * report wrong URLs or pretend to run the requested release.
 */
function assertRunningAsRequested(
  process: ComponentProcess,
  running: RunningComponent,
  requested: readonly PortSetting[],
  config: LocalInfraConfig,
): void {
  const wanted = requested.map((setting) => setting.port);
  const wantedVersion = process.name === 'kafka' ? config.kafkaRelease.version : APICURIO_REGISTRY_VERSION;
  const portsMatch = wanted.every((port, index) => running.ports[index] === port);
  // A process started by an older infra/local has no version marker: its ports are all it tells.
  const versionMatches = running.version === undefined || running.version === wantedVersion;
  if (portsMatch && versionMatches) return;
  throw new LocalInfraError(
    `${labelOf(process)} is already running (pid ${running.pid}, ${running.version ?? 'unknown version'}) ` +
      `on port(s) ${running.ports.join(', ')}, but ${requested.map((s) => `${s.envVar}=${s.port}`).join(', ')}` +
      `${process.name === 'kafka' ? ` and LOCAL_KAFKA_VERSION=${wantedVersion}` : ''} was requested. ` +
      'Run `down` first, or use what is running.',
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
  if (value === undefined) throw new Error('internal error: preflight did not provide a required value');
  return value;
}
