import * as path from 'node:path';
import { LocalInfraError } from './local-infra-error';

/** infra/local (holds maven/ and config/). */
const INFRA_LOCAL_DIR = path.resolve(__dirname, '..');

/**
 * The Kafka releases infra/local runs, and what differs between their lines. The broker is the same
 * `kafka.Kafka` main class and the same KRaft `server.properties` on both lines; what changed in
 * Kafka 4 is the logging (Log4j 2 replaced reload4j, KIP-653) and so the jars and the logging
 * configuration, and the tools Kafka 4 moved out of the broker jar.
 */
export interface KafkaRelease {
  /** e.g. "4.3.2" */
  readonly version: string;
  /** Dependency manifest of the release line, under infra/local/maven. */
  readonly pomFile: string;
  /** JVM argument that points the release's logging framework at infra/local's configuration. */
  readonly loggingJvmArg: string;
}

/** 3.9 is the last 3.x line (and the one the shared stack runs); 4.3 the current patched 4.x line. */
export const DEFAULT_KAFKA_VERSION = '3.9.2';
/** The 4.x release CI runs the end-to-end suite against (and the compose default image). */
export const KAFKA_4_VERSION = '4.3.2';

/** Both lines' brokers run on Java 17 (Kafka 4's broker jars are class file version 61). */
export const KAFKA_MIN_JAVA = 17;

/**
 * Any 3.9.x or 4.x.y release resolves through these manifests; 3.9.2 and 4.3.2 are the ones run
 * here (tests, CI). Older 3.x lines are refused: their KRaft storage tool and defaults differ, and
 * nothing here is tested on them.
 */
export function kafkaRelease(version: string, envVar = 'LOCAL_KAFKA_VERSION'): KafkaRelease {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  const [major, minor] = match === null ? [NaN, NaN] : [Number(match[1]), Number(match[2])];
  const config = (file: string) => path.join(INFRA_LOCAL_DIR, 'config', file);
  const pom = (line: string) => path.join(INFRA_LOCAL_DIR, 'maven', line, 'pom.xml');
  if (major === 3 && minor === 9) {
    return {
      version,
      pomFile: pom('kafka-3'),
      loggingJvmArg: `-Dlog4j.configuration=file:${config('kafka-log4j.properties')}`,
    };
  }
  if (major === 4) {
    return {
      version,
      pomFile: pom('kafka-4'),
      loggingJvmArg: `-Dlog4j2.configurationFile=${config('kafka-log4j2.properties')}`,
    };
  }
  throw new LocalInfraError(
    `${envVar}=${version} is not a Kafka release infra/local can run: use 3.9.x or 4.x.y ` +
      `(tested: ${DEFAULT_KAFKA_VERSION} and ${KAFKA_4_VERSION}).`,
  );
}
