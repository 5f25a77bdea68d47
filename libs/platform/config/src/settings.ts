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
 * The settings every service reads: HTTP, Kafka, schema registry, topics, tracing, the admin credential
 * and its own database. A service spreads these into its schema and adds its own.
 */
export function serviceSettings<const Variable extends string>(service: {
  defaultPort: number;
  databaseUrlVariable: Variable;
  defaultDatabase: string;
}): ReturnType<typeof httpSettings> &
  typeof kafkaSettings &
  typeof schemaRegistrySettings &
  typeof topicSettings &
  typeof telemetrySettings &
  typeof adminSettings &
  Record<Variable, TString> {
  return {
    ...httpSettings(service.defaultPort),
    ...kafkaSettings,
    ...schemaRegistrySettings,
    ...topicSettings,
    ...telemetrySettings,
    ...adminSettings,
    ...databaseUrlSetting(service.databaseUrlVariable, service.defaultDatabase),
  };
}
