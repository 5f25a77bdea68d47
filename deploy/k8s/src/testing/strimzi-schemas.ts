import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import {
  ensureMavenDistribution,
  findExecutableOnPath,
  pickJava,
  probeJavaRuntimes,
} from '@ecommerce/local-infra';
import { parse } from 'yaml';

const execFileAsync = promisify(execFile);

/** The Strimzi release the manifests are written for (kafka.strimzi.io/v1). */
export const STRIMZI_VERSION = '1.2.0';

/** The custom resources the manifests use, by the Strimzi API class that defines each. */
const STRIMZI_KINDS = {
  Kafka: 'io.strimzi.api.kafka.model.kafka.Kafka',
  KafkaNodePool: 'io.strimzi.api.kafka.model.nodepool.KafkaNodePool',
  KafkaTopic: 'io.strimzi.api.kafka.model.topic.KafkaTopic',
  KafkaUser: 'io.strimzi.api.kafka.model.user.KafkaUser',
} as const;

export type StrimziKind = keyof typeof STRIMZI_KINDS;

/** A CRD version's OpenAPI schema, as the API server validates a custom resource with it. */
export interface CustomResourceSchema {
  readonly apiVersion: string;
  readonly kind: StrimziKind;
  readonly schema: Record<string, unknown>;
}

const CRD_GENERATOR_MIN_JAVA = 21; // io.strimzi:crd-generator's class files are version 65

/**
 * Strimzi's own CustomResourceDefinitions for STRIMZI_VERSION, made by Strimzi's CRD generator
 * from Strimzi's API model, both fetched from Maven Central (deploy/k8s/maven/strimzi-api/pom.xml)
 * into the shared download cache, once. This is how Strimzi's build makes the CRDs it installs.
 */
export async function strimziSchemas(
  log: (line: string) => void = () => undefined,
): Promise<CustomResourceSchema[]> {
  const cacheDir = resolve(
    process.env['ECOMMERCE_INFRA_CACHE'] ?? join(homedir(), '.cache', 'ecommerce-kafka'),
  );
  const distributionDir = join(cacheDir, `strimzi-api-${STRIMZI_VERSION}`);
  const crdDir = join(distributionDir, 'crds');
  const java = pickJava(await probeJavaRuntimes(), CRD_GENERATOR_MIN_JAVA);
  if (java === undefined)
    throw new Error(`Strimzi's CRD generator needs Java ${CRD_GENERATOR_MIN_JAVA} or newer`);
  mkdirSync(cacheDir, { recursive: true });
  await ensureMavenDistribution(
    {
      label: `Strimzi API model ${STRIMZI_VERSION}`,
      targetDir: distributionDir,
      pomFile: resolve(__dirname, '..', '..', 'maven', 'strimzi-api', 'pom.xml'),
      goal: 'dependency:copy-dependencies',
      properties: {
        'strimzi.version': STRIMZI_VERSION,
        outputDirectory: '{dir}/libs',
        includeScope: 'runtime',
      },
      logFile: join(cacheDir, `maven-strimzi-api-${STRIMZI_VERSION}.log`),
    },
    findExecutableOnPath('mvn'),
    java,
    log,
  );
  const complete = join(crdDir, '.complete');
  if (!existsSync(complete)) {
    rmSync(crdDir, { recursive: true, force: true });
    mkdirSync(crdDir, { recursive: true });
    await execFileAsync(
      java.javaPath,
      [
        '-cp',
        join(distributionDir, 'libs', '*'),
        'io.strimzi.crdgenerator.CrdGenerator',
        '--yaml',
        ...Object.entries(STRIMZI_KINDS).map(
          ([kind, javaClass]) => `${javaClass}=${join(crdDir, `${kind}.yaml`)}`,
        ),
      ],
      { timeout: 120_000 },
    );
    writeFileSync(complete, `${STRIMZI_VERSION}\n`);
  }
  return (Object.keys(STRIMZI_KINDS) as StrimziKind[]).flatMap((kind) => {
    const crd = parse(readFileSync(join(crdDir, `${kind}.yaml`), 'utf8')) as {
      spec: {
        group: string;
        versions: Array<{
          name: string;
          served: boolean;
          schema: { openAPIV3Schema: Record<string, unknown> };
        }>;
      };
    };
    return crd.spec.versions
      .filter((version) => version.served)
      .map((version) => ({
        apiVersion: `${crd.spec.group}/${version.name}`,
        kind,
        schema: version.schema.openAPIV3Schema,
      }));
  });
}
