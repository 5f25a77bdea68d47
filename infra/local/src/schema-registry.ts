import * as fs from 'node:fs';
import * as path from 'node:path';
import { logFileOf, ownershipJvmArgs, SCHEMA_REGISTRY } from './component-registry';
import { spawnDetached } from './detached-process';
import type { JavaRuntime } from './java-runtime';
import { APICURIO_REGISTRY_VERSION, LOOPBACK_HOST, type LocalInfraConfig } from './local-infra-config';
import type { MavenDistribution } from './maven-distribution';
import type { ProbeResult } from './readiness';

/** infra/local (holds maven/). */
const INFRA_LOCAL_DIR = path.resolve(__dirname, '..');

export function schemaRegistryDistribution(config: LocalInfraConfig): MavenDistribution {
  return {
    label: `Apicurio Registry ${APICURIO_REGISTRY_VERSION}`,
    targetDir: path.join(config.cacheDir, `apicurio-registry-${APICURIO_REGISTRY_VERSION}`),
    pomFile: path.join(INFRA_LOCAL_DIR, 'maven', 'apicurio', 'pom.xml'),
    goal: 'dependency:unpack-dependencies',
    properties: { 'apicurio.version': APICURIO_REGISTRY_VERSION, outputDirectory: '{dir}/quarkus-app' },
    logFile: path.join(config.stateDir, 'logs', 'maven-schema-registry.log'),
  };
}

/** The Confluent-compatible API root, what SCHEMA_REGISTRY_URL must point at. */
export function schemaRegistryUrl(config: LocalInfraConfig): string {
  return `http://${LOOPBACK_HOST}:${config.schemaRegistryPort.port}/apis/ccompat/v7`;
}

export function schemaRegistryPorts(config: LocalInfraConfig): number[] {
  return [config.schemaRegistryPort.port];
}

/**
 * Quarkus settings (as -D, which wins over the packaged application.properties). Each one makes
 * the registry behave like the Confluent Schema Registry the services are written against, or keeps
 * it small and private.
 */
function registrySystemProperties(config: LocalInfraConfig): string[] {
  const settings: Record<string, string | number> = {
    'quarkus.http.host': LOOPBACK_HOST,
    'quarkus.http.port': config.schemaRegistryPort.port,
    // The management interface (health/metrics) is on by default at 0.0.0.0:9000: keep it on
    // loopback and on a free ephemeral port so it can never clash or be exposed.
    'quarkus.management.host': LOOPBACK_HOST,
    'quarkus.management.port': 0,
    // In-memory H2: schemas live as long as the process (registrations are redone on startup).
    'apicurio.storage.kind': 'sql',
    'apicurio.storage.sql.kind': 'h2',
    'apicurio.datasource.jdbc.initial-size': 2,
    'apicurio.datasource.jdbc.min-size': 2,
    'apicurio.datasource.jdbc.max-size': 20,
    // Confluent's global default is BACKWARD; Apicurio's is none. With it, GET /config/{subject} of
    // an existing subject answers BACKWARD, which @kafkajs/confluent-schema-registry's register()
    // compares against its default `compatibility: BACKWARD` (a mismatch throws).
    'apicurio.rules.global.compatibility': 'BACKWARD',
    // false (the default, stated for clarity): ids are content ids, so one schema registered under
    // two subjects gets one id, as in Confluent. true would hand out one id per subject version.
    'apicurio.ccompat.legacy-id-mode.enabled': 'false',
  };
  return Object.entries(settings).map(([key, value]) => `-D${key}=${value}`);
}

/** The registry's cwd and java.io.tmpdir (Vert.x caches, uploads); deleted by `down`. */
export function schemaRegistryWorkDir(stateDir: string): string {
  return path.join(stateDir, 'schema-registry');
}

export async function startSchemaRegistry(config: LocalInfraConfig, java: JavaRuntime): Promise<number> {
  const appDir = path.join(schemaRegistryDistribution(config).targetDir, 'quarkus-app');
  const workDir = schemaRegistryWorkDir(config.stateDir);
  fs.mkdirSync(workDir, { recursive: true });
  return spawnDetached({
    command: java.javaPath,
    args: [
      '-Xms64m',
      '-Xmx512m',
      // A dev registry serves a handful of requests: the serial collector keeps the footprint small.
      '-XX:+UseSerialGC',
      `-Djava.io.tmpdir=${workDir}`,
      ...registrySystemProperties(config),
      ...ownershipJvmArgs(
        config.stateDir,
        SCHEMA_REGISTRY,
        schemaRegistryPorts(config),
        APICURIO_REGISTRY_VERSION,
      ),
      '-jar',
      path.join(appDir, 'quarkus-run.jar'),
    ],
    cwd: workDir,
    logFile: logFileOf(config.stateDir, SCHEMA_REGISTRY),
  });
}

/** Ready = the Confluent-compatible subjects endpoint answers 200. */
export async function probeSchemaRegistry(registryUrl: string): Promise<ProbeResult> {
  try {
    const response = await fetch(`${registryUrl}/subjects`, { signal: AbortSignal.timeout(3_000) });
    // Drain the body so the socket is released.
    await response.arrayBuffer();
    return response.status === 200 ? { ready: true } : { ready: false, reason: `HTTP ${response.status}` };
  } catch (error: unknown) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { ready: false, reason: `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
}
