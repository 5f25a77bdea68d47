import { Type } from '@sinclair/typebox';

import { ConfigError, loadConfig } from './load-config';
import { httpSettings, kafkaSettings, outboxRelaySettings, serviceSettings } from './settings';

const schema = Type.Object({ ...httpSettings(3001), ...kafkaSettings });
const serviceSchema = Type.Object({
  ...serviceSettings({
    defaultPort: 3009,
    databaseUrlVariable: 'ORDER_DATABASE_URL',
    defaultDatabase: 'orders',
  }),
});

describe('loadConfig', () => {
  it('when nothing is set, then every key takes its default', () => {
    expect(loadConfig(schema, {})).toEqual({
      PORT: 3001,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: '127.0.0.1:9092',
      KAFKA_SSL: false,
    });
  });

  it('when values are set, then they are coerced to the declared types', () => {
    expect(loadConfig(schema, { PORT: '8080', KAFKA_BROKERS: 'a:1,b:2' })).toMatchObject({
      PORT: 8080,
      KAFKA_BROKERS: 'a:1,b:2',
    });
  });

  it('when several values are bad, then one error names every bad variable', () => {
    const load = () => loadConfig(schema, { PORT: 'eighty', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'no-port' });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (error) {
      const message = (error as ConfigError).message;
      expect(message).toContain('PORT');
      expect(message).toContain('LOG_LEVEL');
      expect(message).toContain('KAFKA_BROKERS');
      expect(message).toContain('Kafka bootstrap servers');
    }
  });

  it('when a required variable is missing, then the error names it', () => {
    const required = Type.Object({ SECRET: Type.String({ description: 'the secret' }) });
    expect(() => loadConfig(required, {})).toThrow(/SECRET is required but not set \(the secret\)/);
  });
});

describe('serviceSettings', () => {
  it('gives every service the shared settings and its own database URL, with defaults', () => {
    // Typed on purpose: typecheck fails if the database variable's name stops being a literal key.
    const config: { PORT: number; ORDER_DATABASE_URL: string; SCHEMA_REGISTRY_URL: string } = loadConfig(
      serviceSchema,
      {},
    );
    expect(config).toMatchObject({
      PORT: 3009,
      ORDER_DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/orders',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
    });
  });
});

describe('trace sampling', () => {
  it('when unset, then every trace is recorded and SQL statements get no spans', () => {
    expect(loadConfig(serviceSchema, {})).toMatchObject({
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_TRACES_SAMPLER_ARG: 1,
      OTEL_TRACE_SQL: false,
    });
  });

  it('when the sampler is unknown or the ratio out of range, then the error names both variables', () => {
    let refusal: unknown;
    try {
      loadConfig(serviceSchema, { OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_SAMPLER_ARG: '1.5' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as Error).message).toContain('OTEL_TRACES_SAMPLER ');
    expect((refusal as Error).message).toContain('OTEL_TRACES_SAMPLER_ARG');
  });
});

describe('ADMIN_TOKEN', () => {
  it('when unset, then the configuration has no token (the admin API is disabled)', () => {
    expect(loadConfig(serviceSchema, {}).ADMIN_TOKEN).toBeUndefined();
  });

  it('when set to a long enough token, then it is kept as given', () => {
    const token = 'a3f1c9e07b2d4a6f8e1c3b5d7f9a0c2e4b6d8f0a1c3e5a7b';
    expect(loadConfig(serviceSchema, { ADMIN_TOKEN: token }).ADMIN_TOKEN).toBe(token);
  });

  it.each([
    ['a value is shorter than 32 characters', 'short-but-secret-value'],
    ['a value has characters a bearer token cannot carry', 'not a token: it has spaces and a colon in it!!'],
    ['the value is empty', ''],
  ])('when %s, then loading fails naming ADMIN_TOKEN and never echoing the value', (_case, value) => {
    let message = '';
    try {
      loadConfig(serviceSchema, { ADMIN_TOKEN: value });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as ConfigError).message;
    }
    expect(message).toContain('ADMIN_TOKEN');
    if (value) expect(message).not.toContain(value);
  });
});

describe('outboxRelaySettings', () => {
  const relaySchema = Type.Object(outboxRelaySettings);

  it('when nothing is set, then the relay gets its documented defaults', () => {
    expect(loadConfig(relaySchema, {})).toEqual({
      OUTBOX_BATCH_MAX_ROWS: 500,
      OUTBOX_BATCH_MAX_BYTES: 524_288,
      OUTBOX_POLL_INTERVAL_MS: 1_000,
      OUTBOX_RETENTION_MS: 86_400_000,
      OUTBOX_STALL_WINDOW_MS: 60_000,
      OUTBOX_MAX_ATTEMPTS: 5,
      OUTBOX_LEADER_TAKEOVER_MS: 20_000,
    });
  });

  it('when the takeover bound is too short to heartbeat within, then loading fails naming it', () => {
    expect(() => loadConfig(relaySchema, { OUTBOX_LEADER_TAKEOVER_MS: '500' })).toThrow(
      /OUTBOX_LEADER_TAKEOVER_MS/,
    );
  });
});
