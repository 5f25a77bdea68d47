import * as os from 'node:os';
import * as path from 'node:path';
import { LocalInfraError } from './local-infra-error';

/** Pinned here and passed to the Maven manifests with -D, so one place decides the versions. */
export const KAFKA_VERSION = '3.9.2';
export const APICURIO_REGISTRY_VERSION = '3.3.3';

/**
 * Lowest Java feature release each component runs on. Kafka 3.9 itself runs on 11+, but the
 * workspace's floor is 17. Apicurio Registry 3.3.3 is compiled for Java 21 (class file 65).
 */
export const KAFKA_MIN_JAVA = 17;
export const SCHEMA_REGISTRY_MIN_JAVA = 21;

/** Everything binds to loopback only: this is a developer/test stack, never reachable from outside. */
export const LOOPBACK_HOST = '127.0.0.1';

export const DEFAULT_DATABASES: readonly string[] = [
  'ecommerce_order',
  'ecommerce_inventory',
  'ecommerce_payment',
  'ecommerce_notification',
  'ecommerce_analytics',
];

/** Options of localInfraUp/Down/Status. Every field is optional; the defaults come from the environment. */
export interface LocalInfraOptions {
  /** Pid files, logs, Kafka data. Default: $ECOMMERCE_INFRA_STATE or <repo>/.infra/local-state. */
  stateDir?: string;
  /** Downloaded distributions (shared by checkouts). Default: $ECOMMERCE_INFRA_CACHE or ~/.cache/ecommerce-kafka. */
  cacheDir?: string;
  /** Kafka client port. Default: $LOCAL_KAFKA_PORT or 9092. */
  kafkaPort?: number;
  /** Kafka KRaft controller port. Default: $LOCAL_KAFKA_CONTROLLER_PORT or 9093. */
  kafkaControllerPort?: number;
  /** Schema registry HTTP port. Default: $LOCAL_SCHEMA_REGISTRY_PORT or 8081. */
  schemaRegistryPort?: number;
  /**
   * Client listeners of the broker besides the main one, for fault injection (the chaos suite).
   * Each listens on `port` and is advertised at `advertisedPort`, where a TCP proxy in front of it
   * listens: a client that bootstraps through the proxy is told by the metadata to keep using the
   * proxy, so every byte it exchanges with the broker goes through it. Without this, kafkajs would
   * bootstrap through the proxy and then connect to the broker directly. Default: none.
   */
  kafkaProxiedListeners?: readonly KafkaProxiedListener[];
  /** Maintenance connection used to create databases. Default: $LOCAL_POSTGRES_ADMIN_URL or postgresql://postgres@127.0.0.1:5432/postgres. */
  postgresAdminUrl?: string;
  /** Databases to create if missing. Default: DEFAULT_DATABASES. */
  databases?: readonly string[];
  /** How long `up` waits for each component to become ready. Default: 120 s. */
  readyTimeoutMs?: number;
  /**
   * Hook run by `up` once every database exists (on every `up`, also when the stack was already
   * running), keyed by database name. Meant for applying migrations; a rejection fails `up`.
   */
  afterDatabasesReady?: (databaseUrls: Record<string, string>) => Promise<void>;
  /** Progress lines (downloading, starting...). Default: written to stderr. */
  log?: (line: string) => void;
}

export interface KafkaProxiedListener {
  /** Listener name: upper-case letters, digits and `_` (not PLAINTEXT or CONTROLLER). */
  readonly name: string;
  readonly port: number;
  readonly advertisedPort: number;
}

export interface PortSetting {
  readonly port: number;
  /** The environment variable that changes this port, named in error messages. */
  readonly envVar: string;
  readonly purpose: string;
}

export interface LocalInfraConfig {
  readonly repoRoot: string;
  readonly stateDir: string;
  readonly cacheDir: string;
  readonly kafkaPort: PortSetting;
  readonly kafkaControllerPort: PortSetting;
  readonly schemaRegistryPort: PortSetting;
  readonly kafkaProxiedListeners: readonly KafkaProxiedListener[];
  readonly postgresAdminUrl: string;
  readonly databases: readonly string[];
  readonly readyTimeoutMs: number;
  readonly afterDatabasesReady: ((databaseUrls: Record<string, string>) => Promise<void>) | undefined;
  readonly log: (line: string) => void;
}

/** infra/local/src -> repository root. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export function resolveLocalInfraConfig(
  options: LocalInfraOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): LocalInfraConfig {
  const databases = options.databases ?? DEFAULT_DATABASES;
  for (const name of databases) {
    // Names are interpolated into CREATE DATABASE, so only plain identifiers are accepted.
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
      throw new LocalInfraError(`Invalid database name "${name}": use lower-case letters, digits and "_".`);
    }
  }
  const kafkaProxiedListeners = options.kafkaProxiedListeners ?? [];
  for (const listener of kafkaProxiedListeners) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(listener.name) || ['PLAINTEXT', 'CONTROLLER'].includes(listener.name)) {
      throw new LocalInfraError(
        `Invalid Kafka listener name "${listener.name}": use upper-case letters, digits and "_", not PLAINTEXT or CONTROLLER.`,
      );
    }
  }
  return {
    repoRoot: REPO_ROOT,
    stateDir: path.resolve(
      options.stateDir ??
        nonEmpty(env['ECOMMERCE_INFRA_STATE']) ??
        path.join(REPO_ROOT, '.infra', 'local-state'),
    ),
    cacheDir: path.resolve(
      options.cacheDir ??
        nonEmpty(env['ECOMMERCE_INFRA_CACHE']) ??
        path.join(os.homedir(), '.cache', 'ecommerce-kafka'),
    ),
    kafkaPort: portSetting(options.kafkaPort, env, 'LOCAL_KAFKA_PORT', 9092, 'Kafka client port'),
    kafkaControllerPort: portSetting(
      options.kafkaControllerPort,
      env,
      'LOCAL_KAFKA_CONTROLLER_PORT',
      9093,
      'Kafka controller port',
    ),
    schemaRegistryPort: portSetting(
      options.schemaRegistryPort,
      env,
      'LOCAL_SCHEMA_REGISTRY_PORT',
      8081,
      'schema registry port',
    ),
    kafkaProxiedListeners,
    postgresAdminUrl:
      options.postgresAdminUrl ??
      nonEmpty(env['LOCAL_POSTGRES_ADMIN_URL']) ??
      'postgresql://postgres@127.0.0.1:5432/postgres',
    databases,
    readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
    afterDatabasesReady: options.afterDatabasesReady,
    log: options.log ?? ((line: string) => process.stderr.write(`[local-infra] ${line}\n`)),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function portSetting(
  explicit: number | undefined,
  env: NodeJS.ProcessEnv,
  envVar: string,
  fallback: number,
  purpose: string,
): PortSetting {
  const raw = explicit !== undefined ? String(explicit) : nonEmpty(env[envVar]);
  const port = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LocalInfraError(`${envVar}=${raw ?? ''} is not a valid TCP port (1-65535).`);
  }
  return { port, envVar, purpose };
}
