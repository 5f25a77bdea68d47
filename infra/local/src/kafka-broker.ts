import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { kafkaNode, logFileOf, ownershipJvmArgs } from './component-registry';
import { spawnDetached } from './detached-process';
import type { JavaRuntime } from './java-runtime';
import { LOOPBACK_HOST, type KafkaNodeConfig, type LocalInfraConfig } from './local-infra-config';
import { LocalInfraError } from './local-infra-error';
import { readClusterMetadata } from './kafka-metadata';
import { tailOfFile } from './log-tail';
import type { MavenDistribution } from './maven-distribution';
import type { ProbeResult } from './readiness';
import { clusterReplication, renderKafkaServerProperties } from './kafka-server-properties';

const execFileAsync = promisify(execFile);

export function kafkaDistribution(config: LocalInfraConfig): MavenDistribution {
  const { version, pomFile } = config.kafkaRelease;
  return {
    label: `Apache Kafka ${version}`,
    targetDir: path.join(config.cacheDir, `kafka-${version}`),
    pomFile,
    goal: 'dependency:copy-dependencies',
    properties: { 'kafka.version': version, outputDirectory: '{dir}/libs', includeScope: 'runtime' },
    logFile: path.join(config.stateDir, 'logs', `maven-kafka-${version}.log`),
  };
}

/** Everything Kafka keeps in the state dir (every node's data, the cluster record). `down` deletes it. */
export function kafkaStateDir(stateDir: string): string {
  return path.join(stateDir, 'kafka');
}

/** One node's KRaft data (metadata log and topic partitions). */
export function kafkaNodeDataDir(stateDir: string, nodeId: number): string {
  return path.join(kafkaStateDir(stateDir), `node-${nodeId}`, 'data');
}

/** Bootstrap servers: every node, so clients find the cluster while any one of them is down. */
export function kafkaBrokers(config: LocalInfraConfig): string {
  return config.kafkaNodes.map((node) => `${LOOPBACK_HOST}:${node.clientPort.port}`).join(',');
}

export function kafkaNodePorts(node: KafkaNodeConfig): number[] {
  return [node.clientPort.port, node.controllerPort.port];
}

/**
 * What the data in the state dir was formatted as. Every node of one cluster is formatted with the
 * same cluster id; a node is only ever restarted on data of the same release and cluster shape.
 */
interface ClusterRecord {
  readonly clusterId: string;
  readonly kafkaVersion: string;
  readonly nodeCount: number;
}

function clusterRecordFile(stateDir: string): string {
  return path.join(kafkaStateDir(stateDir), 'cluster.json');
}

/**
 * The cluster id for this state dir: the recorded one when its data fits the settings, a new one
 * (recorded) when there is no data yet. Data of another release or node count is refused rather
 * than reused: a 4.x metadata log does not start on 3.9, and a node's quorum is fixed at format.
 */
export function prepareClusterRecord(config: LocalInfraConfig): string {
  const file = clusterRecordFile(config.stateDir);
  const wanted = { kafkaVersion: config.kafkaRelease.version, nodeCount: config.kafkaNodes.length };
  if (fs.existsSync(file)) {
    const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterRecord;
    if (recorded.kafkaVersion === wanted.kafkaVersion && recorded.nodeCount === wanted.nodeCount) {
      return recorded.clusterId;
    }
    throw new LocalInfraError(
      `The Kafka data in ${kafkaStateDir(config.stateDir)} is a ${recorded.nodeCount}-node Kafka ` +
        `${recorded.kafkaVersion} cluster, but a ${wanted.nodeCount}-node Kafka ${wanted.kafkaVersion} ` +
        'one was requested (LOCAL_KAFKA_BROKERS_COUNT, LOCAL_KAFKA_VERSION). Run `down` first (it deletes ' +
        'the data), or ask for what is there.',
    );
  }
  const record: ClusterRecord = { clusterId: newClusterId(), ...wanted };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return record.clusterId;
}

export interface StartedKafkaNode {
  readonly pid: number;
  /** True when its data dir was new and formatted by this start (a failed `up` deletes it again). */
  readonly formattedNow: boolean;
}

/** Writes the node's server.properties, formats its storage if it is new, and starts it detached. */
export async function startKafkaNode(
  config: LocalInfraConfig,
  java: JavaRuntime,
  node: KafkaNodeConfig,
  clusterId: string,
): Promise<StartedKafkaNode> {
  const dataDir = kafkaNodeDataDir(config.stateDir, node.nodeId);
  const nodeDir = path.dirname(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const serverProperties = path.join(nodeDir, 'server.properties');
  fs.writeFileSync(
    serverProperties,
    renderKafkaServerProperties({
      host: LOOPBACK_HOST,
      nodeId: node.nodeId,
      port: node.clientPort.port,
      controllerPort: node.controllerPort.port,
      quorumVoters: config.kafkaNodes.map((voter) => ({
        nodeId: voter.nodeId,
        controllerPort: voter.controllerPort.port,
      })),
      dataDir,
      proxiedListeners: config.kafkaProxiedListeners,
    }),
  );
  const classPath = path.join(kafkaDistribution(config).targetDir, 'libs', '*'); // expanded by java, not a shell
  const logging = config.kafkaRelease.loggingJvmArg;

  const formattedNow = await formatStorage(config, java, node, {
    classPath,
    logging,
    serverProperties,
    clusterId,
  });

  const pid = await spawnDetached({
    command: java.javaPath,
    args: [
      '-Xms128m',
      '-Xmx768m',
      // Kafka's own launcher defaults (kafka-run-class.sh), minus the GC log.
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-Djava.awt.headless=true',
      logging,
      ...ownershipJvmArgs(
        config.stateDir,
        kafkaNode(node.nodeId),
        kafkaNodePorts(node),
        config.kafkaRelease.version,
      ),
      '-cp',
      classPath,
      'kafka.Kafka',
      serverProperties,
    ],
    cwd: nodeDir,
    logFile: logFileOf(config.stateDir, kafkaNode(node.nodeId)),
  });
  return { pid, formattedNow };
}

/**
 * `kafka-storage.sh format` equivalent, for a new data dir only. A data dir that is already
 * formatted (left by a node that died or was stopped without `down`) is reused as it is: its
 * partitions and metadata are what the cluster had a moment ago. After `down` the data is gone, so
 * the next start formats a fresh cluster. Returns true when it formatted.
 */
async function formatStorage(
  config: LocalInfraConfig,
  java: JavaRuntime,
  node: KafkaNodeConfig,
  run: { classPath: string; logging: string; serverProperties: string; clusterId: string },
): Promise<boolean> {
  const dataDir = kafkaNodeDataDir(config.stateDir, node.nodeId);
  const logFile = path.join(config.stateDir, 'logs', `kafka-${node.nodeId}-storage-format.log`);
  if (fs.existsSync(path.join(dataDir, 'meta.properties'))) {
    config.log(`reusing the formatted Kafka data in ${dataDir} (removed by \`down\`)`);
    return false;
  }
  const args = [
    '-Xmx256m',
    run.logging,
    '-cp',
    run.classPath,
    'kafka.tools.StorageTool',
    'format',
    '--cluster-id',
    run.clusterId,
    '--config',
    run.serverProperties,
  ];
  try {
    const { stdout, stderr } = await execFileAsync(java.javaPath, args, {
      timeout: 60_000,
      maxBuffer: 16 << 20,
    });
    fs.writeFileSync(logFile, `${stdout}${stderr}`);
    return true;
  } catch (error: unknown) {
    const output = error as { stdout?: string; stderr?: string };
    fs.writeFileSync(logFile, `${output.stdout ?? ''}${output.stderr ?? ''}`);
    throw new LocalInfraError(
      `Formatting Kafka storage failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}). ` +
        `See ${logFile}; its last lines:\n${tailOfFile(logFile, 15)}`,
      { cause: error },
    );
  }
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, like `kafka-storage random-uuid`. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // Kafka's own generator avoids a leading "-", which command-line parsers take for an option.
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Ready = this node answers a Metadata request on its own port and the brokers it lists include
 * it: it has joined the quorum's view as a live (unfenced) broker.
 */
export async function probeKafkaNode(node: KafkaNodeConfig): Promise<ProbeResult> {
  try {
    const { brokers } = await readClusterMetadata(`${LOOPBACK_HOST}:${node.clientPort.port}`, [], 3_000);
    return brokers.some((broker) => broker.nodeId === node.nodeId)
      ? { ready: true }
      : { ready: false, reason: `node ${node.nodeId} is not registered in the cluster yet` };
  } catch (error: unknown) {
    return { ready: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Where one partition lives: its leader and replicas are node ids (`LocalInfraOptions` node numbering). */
export interface PartitionPlacement {
  readonly topic: string;
  readonly partition: number;
  /** -1 while the partition has no leader (no in-sync replica alive). */
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly inSyncReplicas: readonly number[];
}

/**
 * Leader, replicas and in-sync replicas of every partition of `topics` (all topics but Kafka's
 * internal ones when omitted), as the cluster reports them now. For chaos runs, which pick the
 * broker to kill by the partitions it leads.
 */
export async function kafkaPartitionPlacement(
  kafkaBrokers: string,
  topics?: readonly string[],
): Promise<PartitionPlacement[]> {
  const metadata = await firstAnswer(kafkaBrokers.split(','), (bootstrap) =>
    readClusterMetadata(bootstrap, topics, 30_000),
  );
  return metadata.topics
    .filter(({ name }) => topics !== undefined || !name.startsWith('__'))
    .flatMap(({ name, partitions }) =>
      partitions
        .map((partition) => ({ topic: name, ...partition }))
        .sort((a, b) => a.partition - b.partition),
    );
}

/** The first node's answer that comes: asked in turn, as a node of the list may be down. */
async function firstAnswer<T>(nodes: readonly string[], ask: (node: string) => Promise<T>): Promise<T> {
  const failures: string[] = [];
  for (const node of nodes) {
    try {
      return await ask(node);
    } catch (error: unknown) {
      failures.push(`${node}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no Kafka node answered (${failures.join('; ')})`);
}

/** The replication defaults the local cluster's brokers apply (see kafka-server-properties.ts). */
export function localClusterReplication(config: LocalInfraConfig) {
  return clusterReplication(config.kafkaNodes.length);
}
