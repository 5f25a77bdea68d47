import { findExecutableOnPath } from './executable-on-path';
import { describeJavaProbes, pickJava, probeJavaRuntimes, type JavaRuntime } from './java-runtime';
import { kafkaDistribution } from './kafka-broker';
import { KAFKA_MIN_JAVA } from './kafka-release';
import {
  APICURIO_REGISTRY_VERSION,
  LOOPBACK_HOST,
  SCHEMA_REGISTRY_MIN_JAVA,
  type KafkaNodeConfig,
  type LocalInfraConfig,
  type PortSetting,
} from './local-infra-config';
import { LocalInfraError } from './local-infra-error';
import { isDistributionCached } from './maven-distribution';
import { checkPostgresReachable } from './postgres-databases';
import { isPortFree } from './port-availability';
import { schemaRegistryDistribution } from './schema-registry';

export interface StartPlan {
  /** The Kafka nodes that are not running (all of them on a first `up`). */
  readonly kafkaNodesToStart: readonly KafkaNodeConfig[];
  readonly startSchemaRegistry: boolean;
  /** `up` needs the databases; restarting one broker (a chaos fault) must not, PostgreSQL may be down on purpose. */
  readonly checkPostgres: boolean;
}

export interface PreflightResult {
  /** Set when the plan starts Kafka. */
  readonly kafkaJava: JavaRuntime | undefined;
  /** Set when the plan starts the schema registry. */
  readonly schemaRegistryJava: JavaRuntime | undefined;
  /** Set when a distribution still has to be downloaded. */
  readonly mvnPath: string | undefined;
}

/**
 * Everything `up` needs, checked before anything is downloaded or started, so a broken setup fails
 * in seconds with one message listing every problem (not one per attempt).
 */
export async function preflight(config: LocalInfraConfig, plan: StartPlan): Promise<PreflightResult> {
  const problems: string[] = [];

  const startKafka = plan.kafkaNodesToStart.length > 0;
  const needsJava = startKafka || plan.startSchemaRegistry;
  const probes = needsJava ? await probeJavaRuntimes() : [];
  const kafkaJava = startKafka ? pickJava(probes, KAFKA_MIN_JAVA) : undefined;
  if (startKafka && kafkaJava === undefined) {
    problems.push(
      `Kafka ${config.kafkaRelease.version} needs Java ${KAFKA_MIN_JAVA} or newer; found: ${describeJavaProbes(probes)}. ` +
        `Install a JDK ${KAFKA_MIN_JAVA}+ (on PATH, via JAVA_HOME, or under /usr/lib/jvm).`,
    );
  }
  const schemaRegistryJava = plan.startSchemaRegistry
    ? pickJava(probes, SCHEMA_REGISTRY_MIN_JAVA)
    : undefined;
  if (plan.startSchemaRegistry && schemaRegistryJava === undefined) {
    problems.push(
      `Apicurio Registry ${APICURIO_REGISTRY_VERSION} needs Java ${SCHEMA_REGISTRY_MIN_JAVA} or newer ` +
        `(it is compiled for 21); found: ${describeJavaProbes(probes)}. ` +
        `Install a JDK ${SCHEMA_REGISTRY_MIN_JAVA}+ (on PATH, via JAVA_HOME, or under /usr/lib/jvm).`,
    );
  }

  const needsDownload =
    (startKafka && !isDistributionCached(kafkaDistribution(config).targetDir)) ||
    (plan.startSchemaRegistry && !isDistributionCached(schemaRegistryDistribution(config).targetDir));
  const mvnPath = needsDownload ? findExecutableOnPath('mvn') : undefined;
  if (needsDownload && mvnPath === undefined) {
    problems.push(
      `Maven (\`mvn\`) is not on PATH; it is needed once to download Kafka/Apicurio into ${config.cacheDir}.`,
    );
  }

  const nodePorts = (node: KafkaNodeConfig) => [node.clientPort, node.controllerPort];
  const ports: PortSetting[] = [
    ...plan.kafkaNodesToStart.flatMap(nodePorts),
    ...(plan.startSchemaRegistry ? [config.schemaRegistryPort] : []),
  ];
  problems.push(
    ...duplicatePortProblems([...config.kafkaNodes.flatMap(nodePorts), config.schemaRegistryPort]),
  );
  for (const setting of ports) {
    if (!(await isPortFree(LOOPBACK_HOST, setting.port))) {
      problems.push(
        `Port ${setting.port} (${setting.purpose}) on ${LOOPBACK_HOST} is already in use by another process. ` +
          `Stop that process or choose another port with ${setting.envVar}=<port>.`,
      );
    }
  }

  if (plan.checkPostgres) {
    try {
      await checkPostgresReachable(config.postgresAdminUrl);
    } catch (error: unknown) {
      if (!(error instanceof LocalInfraError)) throw error;
      problems.push(error.message);
    }
  }

  if (problems.length > 0) {
    throw new LocalInfraError(`Local infra cannot start:\n  - ${problems.join('\n  - ')}`);
  }
  return { kafkaJava, schemaRegistryJava, mvnPath };
}

function duplicatePortProblems(settings: readonly PortSetting[]): string[] {
  const problems: string[] = [];
  settings.forEach((setting, index) => {
    const clash = settings.slice(index + 1).find((other) => other.port === setting.port);
    if (clash !== undefined) {
      problems.push(
        `${setting.envVar} (${setting.purpose}) and ${clash.envVar} (${clash.purpose}) are both ${setting.port}; ` +
          'give each its own port.',
      );
    }
  });
  return problems;
}
