import { defaultDatabaseTransactionSettings } from '@ecommerce/database';
import { Type, type Static, type TObject, type TString } from '@sinclair/typebox';

/** Settings every service's HTTP server reads. */
export function httpSettings(defaultPort: number) {
  return {
    PORT: Type.Integer({
      minimum: 1,
      maximum: 65535,
      default: defaultPort,
      description: 'HTTP port to listen on',
    }),
    HOST: Type.String({
      minLength: 1,
      default: '0.0.0.0',
      description: 'interface to bind the HTTP server to',
    }),
    LOG_LEVEL: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
      { default: 'info', description: 'pino log level' },
    ),
  };
}

export const kafkaSettings = {
  KAFKA_BROKERS: Type.String({
    pattern: '^[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*$',
    default: '127.0.0.1:9092',
    description: 'comma-separated Kafka bootstrap servers, host:port',
  }),
  KAFKA_SSL: Type.Boolean({ default: false, description: 'connect to Kafka over TLS' }),
  KAFKA_SASL_MECHANISM: Type.Optional(
    Type.Union([Type.Literal('plain'), Type.Literal('scram-sha-256'), Type.Literal('scram-sha-512')], {
      description: 'SASL mechanism for Kafka; unset: no SASL',
    }),
  ),
  KAFKA_SASL_USERNAME: Type.Optional(
    Type.String({ minLength: 1, description: 'SASL user (with KAFKA_SASL_MECHANISM)' }),
  ),
  KAFKA_SASL_PASSWORD: Type.Optional(
    Type.String({ minLength: 1, description: 'SASL password (with KAFKA_SASL_MECHANISM)' }),
  ),
};

/**
 * How a consumer group notices a dead or stuck member (see the README's "Consumers"): the session
 * bounds how long a killed instance's partitions stall before another member takes them over, and
 * the stall window bounds how long a member that is alive but makes no progress stays so before it
 * is restarted. Their relations (heartbeat at most a third of the session, stall window longer than
 * a rebalance) are checked at start by `consumerLiveness` in @ecommerce/messaging.
 */
export const kafkaConsumerSettings = {
  KAFKA_CONSUMER_SESSION_TIMEOUT_MS: Type.Integer({
    minimum: 1_000,
    maximum: 1_800_000,
    default: 6_000,
    description:
      "a consumer that sends no heartbeat for this long is evicted from its group and its partitions go to the other members; must lie within the broker's group.min/max.session.timeout.ms (6 s to 30 min by default)",
  }),
  KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 1_000,
    description:
      'how often a consumer heartbeats, also while a handler runs or waits to retry, and how long an idle fetch waits; a member learns of a rebalance at its next heartbeat; at most a third of the session timeout',
  }),
  KAFKA_CONSUMER_REBALANCE_TIMEOUT_MS: Type.Integer({
    minimum: 1_000,
    maximum: 1_800_000,
    default: 30_000,
    description:
      'how long a rebalance waits for every member to rejoin; a member still busy with one message after this is dropped from the round (its message is redelivered)',
  }),
  KAFKA_CONSUMER_STALL_TIMEOUT_MS: Type.Integer({
    minimum: 1_000,
    maximum: 3_600_000,
    default: 60_000,
    description:
      'watchdog: a consumer with no progress for this long (no fetch, heartbeat, batch or join completed), or one handler attempt running this long, fails readiness and is restarted; longer than the rebalance timeout',
  }),
  KAFKA_CONSUMER_COMMIT_INTERVAL_MS: Type.Integer({
    minimum: 0,
    maximum: 60_000,
    default: 1_000,
    description:
      'handled offsets are committed at most this often (and at once after a dead letter, at a rebalance and at a stop); a crash redelivers at most this long of events, duplicates for the inbox; 0 commits after every fetched batch',
  }),
};

export const schemaRegistrySettings = {
  SCHEMA_REGISTRY_URL: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:8081/apis/ccompat/v7',
    description: 'base URL of a Confluent-compatible schema registry API',
  }),
  SCHEMA_REGISTRY_USERNAME: Type.Optional(
    Type.String({ minLength: 1, description: 'registry basic-auth user' }),
  ),
  SCHEMA_REGISTRY_PASSWORD: Type.Optional(
    Type.String({ minLength: 1, description: 'registry basic-auth password' }),
  ),
  SCHEMA_REGISTRY_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 15_000,
    description:
      'deadline of each registry request; a registry that does not answer within it is an outage (events wait, none dead-lettered)',
  }),
};

export const topicSettings = {
  TOPIC_PREFIX: Type.String({
    pattern: '^[a-zA-Z0-9._-]*$',
    default: 'ecommerce.',
    description: 'prefix of every topic name and consumer group id (ecommerce. gives ecommerce.orders)',
  }),
  KAFKA_TOPIC_PARTITIONS: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 6,
    description: 'partitions of topics this service creates',
  }),
  KAFKA_REPLICATION_FACTOR: Type.Integer({
    minimum: 1,
    maximum: 10,
    default: 1,
    description: 'replication factor of topics this service creates (1 on one machine, 3 in production)',
  }),
  KAFKA_TOPIC_RETENTION_MS: Type.Integer({
    minimum: -1,
    default: -1,
    description:
      'retention.ms of the event topics; -1: unlimited (analytics rebuilds its read models from them). An existing topic with a shorter retention is raised to it, never shortened',
  }),
  KAFKA_DEAD_LETTER_RETENTION_MS: Type.Integer({
    minimum: -1,
    default: -1,
    description:
      'retention.ms of the dead-letter topics; -1: unlimited (a dead letter waits for an operator). Raised on an existing topic, never shortened',
  }),
};

export const inboxSettings = {
  INBOX_RETENTION_MS: Type.Integer({
    minimum: -1,
    default: -1,
    description:
      'inbox rows older than this are deleted; -1: kept for ever. Never shorter than KAFKA_TOPIC_RETENTION_MS (-1 when that is -1)',
  }),
};

/** How a service reports its own state as events, for operators' read models (the order console). */
export const operationsSettings = {
  OUTBOX_STATUS_INTERVAL_MS: Type.Integer({
    minimum: 1_000,
    maximum: 300_000,
    default: 5_000,
    description:
      'how often a service that publishes samples its outbox (backlog, oldest age, quarantined rows) as an OutboxStatusReported event',
  }),
};

/**
 * The outbox relay of a service that publishes events (order, inventory, payment, notification):
 * how it batches, how long it tolerates a broker that refuses or does not answer, and how fast a
 * standby instance takes over from a leader that went silent. See the README's Outbox section.
 */
export const outboxRelaySettings = {
  OUTBOX_BATCH_MAX_ROWS: Type.Integer({
    minimum: 1,
    maximum: 10_000,
    default: 500,
    description: 'outbox rows the relay publishes in one batch at most',
  }),
  OUTBOX_BATCH_MAX_BYTES: Type.Integer({
    minimum: 1_024,
    maximum: 100_000_000,
    default: 524_288,
    description:
      "bytes (payload, key and headers) of one batch at most; keep it below the topics' max.message.bytes (1 MiB by default). A single larger row is sent alone",
  }),
  OUTBOX_POLL_INTERVAL_MS: Type.Integer({
    minimum: 10,
    maximum: 3_600_000,
    default: 1_000,
    description:
      'fallback poll of the relay leader; commits wake it at once (NOTIFY), so this only bounds a wake-up missed while reconnecting',
  }),
  OUTBOX_RETENTION_MS: Type.Integer({
    minimum: 0,
    maximum: 31_536_000_000,
    default: 86_400_000,
    description: 'published outbox rows are deleted this long after publication',
  }),
  OUTBOX_STALL_WINDOW_MS: Type.Integer({
    minimum: 1_000,
    maximum: 86_400_000,
    default: 60_000,
    description:
      'a relay leader with rows waiting that has published nothing for this long fails /health/ready and sets ecommerce_outbox_relay_stalled',
  }),
  OUTBOX_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 5,
    description:
      'times a row the broker refuses for good (too large, unknown topic, ...) is tried before it is quarantined; outages spend none',
  }),
  OUTBOX_LEADER_TAKEOVER_MS: Type.Integer({
    minimum: 2_000,
    maximum: 600_000,
    default: 20_000,
    description:
      'bound on how long a relay leader that went silent (crash, partition, hung connection) keeps the others waiting: PostgreSQL ends its session after half of it, and its own client gives up sooner',
  }),
};

/** The values of `outboxRelaySettings`, as a service's validated configuration holds them. */
export type OutboxRelaySettings = Static<TObject<typeof outboxRelaySettings>>;

export const telemetrySettings = {
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'OTLP/HTTP endpoint for traces; unset: no export' }),
  ),
  // The standard OpenTelemetry variables, validated here like every other setting (the SDK alone
  // would log an unknown value and trace everything).
  OTEL_TRACES_SAMPLER: Type.Union(
    (
      [
        'always_on',
        'always_off',
        'traceidratio',
        'parentbased_always_on',
        'parentbased_always_off',
        'parentbased_traceidratio',
      ] as const
    ).map((sampler) => Type.Literal(sampler)),
    {
      default: 'parentbased_always_on',
      description:
        'which traces are recorded; parentbased_* decide at the root and follow the caller, so an order is traced in every service or none (production: parentbased_traceidratio)',
    },
  ),
  OTEL_TRACES_SAMPLER_ARG: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 1,
    description: 'ratio of root traces recorded by the traceidratio samplers (0.01: one in a hundred)',
  }),
  OTEL_TRACE_SQL: Type.Boolean({
    default: false,
    description: 'a span per SQL statement inside a trace (costly: several per event)',
  }),
};

/**
 * The credential of a service's `/admin/` API (dead-letter replay, projection rebuilds). Optional:
 * unset, the admin API refuses every request. Long enough that guessing is hopeless, and made of
 * the characters a bearer token may carry (RFC 6750 `b64token`: hex, base64 and base64url all fit),
 * so `openssl rand -hex 32` gives a good one. A rejected value is never echoed: the error names the
 * variable and the rule only.
 */
const adminSettings = {
  ADMIN_TOKEN: Type.Optional(
    Type.String({
      minLength: 32,
      pattern: '^[A-Za-z0-9._~+/-]+=*$',
      description:
        'bearer token of the /admin/ API, at least 32 characters of A-Z a-z 0-9 . _ ~ + / - (e.g. openssl rand -hex 32); unset: the admin API is disabled',
    }),
  ),
};

/**
 * The limits of every interactive transaction on a service's database (passed to
 * `createPrismaClient`). No external effect runs inside a transaction, so a transaction holds only
 * database work and a few seconds is plenty; one that takes longer fails and spends a retry
 * attempt, while one that cannot start in time means the database is unavailable.
 */
export const databaseSettings = {
  DATABASE_TRANSACTION_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: defaultDatabaseTransactionSettings.DATABASE_TRANSACTION_TIMEOUT_MS,
    description:
      'longest an interactive database transaction (and any one SQL statement) may run, in ms; past it the work fails and spends a retry attempt',
  }),
  DATABASE_TRANSACTION_MAX_WAIT_MS: Type.Integer({
    minimum: 10,
    maximum: 600_000,
    default: defaultDatabaseTransactionSettings.DATABASE_TRANSACTION_MAX_WAIT_MS,
    description:
      'longest to wait for a free connection to start a database transaction, in ms; past it the database counts as unavailable',
  }),
};

/** The database URL setting of one service, e.g. `ORDER_DATABASE_URL`. */
export function databaseUrlSetting<Variable extends string>(
  variable: Variable,
  defaultDatabase: string,
): Record<Variable, TString> {
  return {
    [variable]: Type.String({
      pattern: '^postgres(ql)?://',
      default: `postgresql://postgres@127.0.0.1:5432/${defaultDatabase}`,
      description: "PostgreSQL connection URL of this service's own database",
    }),
  } as Record<Variable, TString>;
}

/**
 * The settings every service reads: HTTP, Kafka and its consumers, schema registry, topics, its inbox,
 * tracing, the admin credential, its own database and its transactions' limits. A service spreads these
 * into its schema and adds its own.
 */
export function serviceSettings<const Variable extends string>(service: {
  defaultPort: number;
  databaseUrlVariable: Variable;
  defaultDatabase: string;
}): ReturnType<typeof httpSettings> &
  typeof kafkaSettings &
  typeof kafkaConsumerSettings &
  typeof schemaRegistrySettings &
  typeof topicSettings &
  typeof inboxSettings &
  typeof telemetrySettings &
  typeof operationsSettings &
  typeof adminSettings &
  typeof databaseSettings &
  Record<Variable, TString> {
  return {
    ...httpSettings(service.defaultPort),
    ...kafkaSettings,
    ...kafkaConsumerSettings,
    ...schemaRegistrySettings,
    ...topicSettings,
    ...inboxSettings,
    ...telemetrySettings,
    ...operationsSettings,
    ...adminSettings,
    ...databaseUrlSetting(service.databaseUrlVariable, service.defaultDatabase),
    ...databaseSettings,
  };
}
