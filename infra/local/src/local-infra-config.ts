import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_KAFKA_VERSION, kafkaRelease, type KafkaRelease } from './kafka-release';
import { LocalInfraError } from './local-infra-error';

/** Pinned here and passed to the Maven manifest with -D, so one place decides the version. */
export const APICURIO_REGISTRY_VERSION = '3.3.3';

/** Apicurio Registry 3.3.3 is compiled for Java 21 (class file 65). Kafka's floor: kafka-release.ts. */
export const SCHEMA_REGISTRY_MIN_JAVA = 21;

/**
 * A cluster is a handful of JVMs on one machine (each up to 768 MiB of heap); five is already more
 * than any test here needs (three is the smallest cluster that survives losing a broker with
 * min.insync.replicas=2).
 */
export const MAX_KAFKA_BROKERS = 5;

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
  /** Kafka release to run, 3.9.x or 4.x.y. Default: $LOCAL_KAFKA_VERSION or 3.9.2. */
  kafkaVersion?: string;
  /**
   * Kafka nodes, each a broker and a KRaft controller (1 to 5). With 3 or more, topics get
   * replication factor 3 and min.insync.replicas 2 by default. Default: $LOCAL_KAFKA_BROKERS_COUNT or 1.
   */
  kafkaBrokerCount?: number;
  /**
   * Kafka client port: one port (node i then listens on port + 2·(i−1)) or one per node.
   * Default: $LOCAL_KAFKA_PORT (a port or a comma-separated list) or 9092.
   */
  kafkaPort?: number | readonly number[];
  /**
   * Kafka KRaft controller port, in the same form as kafkaPort.
   * Default: $LOCAL_KAFKA_CONTROLLER_PORT or 9093.
   */
  kafkaControllerPort?: number | readonly number[];
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

/** One Kafka node of the local cluster: a broker and a KRaft controller in one JVM. */
export interface KafkaNodeConfig {
  /** Kafka's node.id, 1-based. */
  readonly nodeId: number;
  readonly clientPort: PortSetting;
  readonly controllerPort: PortSetting;
}

export interface LocalInfraConfig {
  readonly repoRoot: string;
  readonly stateDir: string;
  readonly cacheDir: string;
  readonly kafkaRelease: KafkaRelease;
  /** In node id order; one entry in single-broker mode. */
  readonly kafkaNodes: readonly KafkaNodeConfig[];
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
  const kafkaNodes = kafkaNodeConfigs(options, env);
  if (kafkaProxiedListeners.length > 0 && kafkaNodes.length > 1) {
    // Each node would need listener ports (and proxies) of its own; the chaos run proxies one broker.
    throw new LocalInfraError('Proxied Kafka listeners are supported with one broker only.');
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
    kafkaRelease: kafkaRelease(
      options.kafkaVersion ?? nonEmpty(env['LOCAL_KAFKA_VERSION']) ?? DEFAULT_KAFKA_VERSION,
    ),
    kafkaNodes,
    schemaRegistryPort: portSetting(
      options.schemaRegistryPort !== undefined
        ? String(options.schemaRegistryPort)
        : nonEmpty(env['LOCAL_SCHEMA_REGISTRY_PORT']),
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

function kafkaNodeConfigs(options: LocalInfraOptions, env: NodeJS.ProcessEnv): KafkaNodeConfig[] {
  const rawCount =
    options.kafkaBrokerCount !== undefined
      ? String(options.kafkaBrokerCount)
      : nonEmpty(env['LOCAL_KAFKA_BROKERS_COUNT']);
  const count = rawCount === undefined ? 1 : Number(rawCount);
  if (!Number.isInteger(count) || count < 1 || count > MAX_KAFKA_BROKERS) {
    throw new LocalInfraError(
      `LOCAL_KAFKA_BROKERS_COUNT=${rawCount ?? ''} is not a broker count infra/local runs (1-${MAX_KAFKA_BROKERS}).`,
    );
  }
  const clientPorts = nodePorts(options.kafkaPort, env, 'LOCAL_KAFKA_PORT', 9092, count);
  const controllerPorts = nodePorts(
    options.kafkaControllerPort,
    env,
    'LOCAL_KAFKA_CONTROLLER_PORT',
    9093,
    count,
  );
  return clientPorts.map((clientPort, index) => {
    const nodeId = index + 1;
    const controllerPort = controllerPorts[index];
    // nodePorts returns `count` ports or throws; this only satisfies the index check.
    if (controllerPort === undefined)
      throw new Error(`internal error: no controller port for node ${nodeId}`);
    const ofNode = count === 1 ? '' : ` of node ${nodeId}`;
    return {
      nodeId,
      clientPort: { port: clientPort, envVar: 'LOCAL_KAFKA_PORT', purpose: `Kafka client port${ofNode}` },
      controllerPort: {
        port: controllerPort,
        envVar: 'LOCAL_KAFKA_CONTROLLER_PORT',
        purpose: `Kafka controller port${ofNode}`,
      },
    };
  });
}

/**
 * One port per node: as listed, or from a single port by steps of 2, so that the default client
 * and controller ports interleave (9092/9093, 9094/9095, 9096/9097) instead of colliding.
 */
function nodePorts(
  explicit: number | readonly number[] | undefined,
  env: NodeJS.ProcessEnv,
  envVar: string,
  fallback: number,
  count: number,
): number[] {
  const listed =
    explicit === undefined
      ? nonEmpty(env[envVar])
          ?.split(',')
          .map((port) => port.trim())
      : [explicit].flat().map(String);
  const ports = (listed ?? [String(fallback)]).map((raw) => portSetting(raw, envVar, fallback, '').port);
  const [first] = ports;
  if (ports.length === 1 && first !== undefined) {
    const derived = Array.from({ length: count }, (_, index) => first + 2 * index);
    return derived.map((port) => portSetting(String(port), envVar, fallback, '').port);
  }
  if (ports.length !== count) {
    throw new LocalInfraError(
      `${envVar}=${ports.join(',')} lists ${ports.length} ports for ${count} Kafka node(s): ` +
        'give one port, or one per node (LOCAL_KAFKA_BROKERS_COUNT).',
    );
  }
  return ports;
}

function portSetting(
  raw: string | undefined,
  envVar: string,
  fallback: number,
  purpose: string,
): PortSetting {
  const port = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LocalInfraError(`${envVar}=${raw ?? ''} is not a valid TCP port (1-65535).`);
  }
  return { port, envVar, purpose };
}
