import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { logFileOf, ownershipJvmArgs } from './component-registry';
import { spawnDetached } from './detached-process';
import type { JavaRuntime } from './java-runtime';
import { KAFKA_VERSION, LOOPBACK_HOST, type LocalInfraConfig } from './local-infra-config';
import { LocalInfraError } from './local-infra-error';
import { tailOfFile } from './log-tail';
import type { MavenDistribution } from './maven-distribution';
import type { ProbeResult } from './readiness';
import { renderKafkaServerProperties } from './kafka-server-properties';

const execFileAsync = promisify(execFile);

/** infra/local (holds maven/ and config/). */
const INFRA_LOCAL_DIR = path.resolve(__dirname, '..');

export function kafkaDistribution(config: LocalInfraConfig): MavenDistribution {
  return {
    label: `Apache Kafka ${KAFKA_VERSION}`,
    targetDir: path.join(config.cacheDir, `kafka-${KAFKA_VERSION}`),
    pomFile: path.join(INFRA_LOCAL_DIR, 'maven', 'kafka', 'pom.xml'),
    goal: 'dependency:copy-dependencies',
    properties: { 'kafka.version': KAFKA_VERSION, outputDirectory: '{dir}/libs', includeScope: 'runtime' },
    logFile: path.join(config.stateDir, 'logs', 'maven-kafka.log'),
  };
}

/** KRaft data (metadata log and topic partitions). `down` deletes it so every `up` starts empty. */
export function kafkaDataDir(stateDir: string): string {
  return path.join(stateDir, 'kafka', 'data');
}

export function kafkaBrokers(config: LocalInfraConfig): string {
  return `${LOOPBACK_HOST}:${config.kafkaPort.port}`;
}

export function kafkaPorts(config: LocalInfraConfig): number[] {
  return [config.kafkaPort.port, config.kafkaControllerPort.port];
}

/** Writes server.properties, formats the storage if it is new, and starts the broker detached. */
export async function startKafkaBroker(config: LocalInfraConfig, java: JavaRuntime): Promise<number> {
  const kafkaDir = path.join(config.stateDir, 'kafka');
  const dataDir = kafkaDataDir(config.stateDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const serverProperties = path.join(kafkaDir, 'server.properties');
  fs.writeFileSync(
    serverProperties,
    renderKafkaServerProperties({
      host: LOOPBACK_HOST,
      port: config.kafkaPort.port,
      controllerPort: config.kafkaControllerPort.port,
      dataDir,
      proxiedListeners: config.kafkaProxiedListeners,
    }),
  );
  const classPath = path.join(kafkaDistribution(config).targetDir, 'libs', '*'); // expanded by java, not a shell
  const log4j = `-Dlog4j.configuration=file:${path.join(INFRA_LOCAL_DIR, 'config', 'kafka-log4j.properties')}`;

  await formatStorage(config, java, classPath, log4j, serverProperties);

  return spawnDetached({
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
      log4j,
      ...ownershipJvmArgs(config.stateDir, 'kafka', kafkaPorts(config)),
      '-cp',
      classPath,
      'kafka.Kafka',
      serverProperties,
    ],
    cwd: kafkaDir,
    logFile: logFileOf(config.stateDir, 'kafka'),
  });
}

/**
 * `kafka-storage.sh format` equivalent, for a new data dir only. A data dir that is already
 * formatted (left by a broker that died without `down`) is reused as it is: formatting it again
 * with a new cluster id would fail, and its topics are what the developer had a moment ago.
 * After `down` the data dir is gone, so the next start formats a fresh cluster.
 */
async function formatStorage(
  config: LocalInfraConfig,
  java: JavaRuntime,
  classPath: string,
  log4j: string,
  serverProperties: string,
): Promise<void> {
  const logFile = path.join(config.stateDir, 'logs', 'kafka-storage-format.log');
  if (fs.existsSync(path.join(kafkaDataDir(config.stateDir), 'meta.properties'))) {
    config.log(`reusing the formatted Kafka data in ${kafkaDataDir(config.stateDir)} (removed by \`down\`)`);
    return;
  }
  const args = [
    '-Xmx256m',
    log4j,
    '-cp',
    classPath,
    'kafka.tools.StorageTool',
    'format',
    '--cluster-id',
    newClusterId(),
    '--config',
    serverProperties,
  ];
  try {
    const { stdout, stderr } = await execFileAsync(java.javaPath, args, {
      timeout: 60_000,
      maxBuffer: 16 << 20,
    });
    fs.writeFileSync(logFile, `${stdout}${stderr}`);
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

/** Ready = a kafkajs admin client connects and the broker is listed in the cluster metadata. */
export async function probeKafka(brokers: string): Promise<ProbeResult> {
  const admin = new Kafka({
    clientId: 'local-infra-readiness',
    brokers: [brokers],
    logLevel: logLevel.NOTHING, // failed attempts are expected while the broker boots
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0
      ? { ready: true }
      : { ready: false, reason: 'no broker registered yet' };
  } catch (error: unknown) {
    return { ready: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await admin.disconnect();
  }
}
