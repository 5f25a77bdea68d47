import { ConfigError } from '@ecommerce/config';

import { connectionSettings } from './connection-settings';

const base = { KAFKA_BROKERS: 'a:9092, b:9092', SCHEMA_REGISTRY_URL: 'http://registry:8081' };

describe('connectionSettings', () => {
  it('when nothing secure is set, then it connects in plain text without auth', () => {
    expect(connectionSettings('svc', base)).toEqual({
      kafka: { clientId: 'svc', brokers: ['a:9092', 'b:9092'], ssl: false },
      schemaRegistry: { url: 'http://registry:8081' },
    });
  });

  it('when TLS, SASL and registry auth are set, then each is passed on', () => {
    const settings = connectionSettings('svc', {
      ...base,
      KAFKA_SSL: true,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'user',
      KAFKA_SASL_PASSWORD: 'secret',
      SCHEMA_REGISTRY_USERNAME: 'reg',
      SCHEMA_REGISTRY_PASSWORD: 'reg-secret',
    });
    expect(settings.kafka).toMatchObject({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'user', password: 'secret' },
    });
    expect(settings.schemaRegistry.auth).toEqual({ username: 'reg', password: 'reg-secret' });
  });

  it('when a registry deadline is set, then the registry client takes it', () => {
    expect(connectionSettings('svc', { ...base, SCHEMA_REGISTRY_TIMEOUT_MS: 3_000 }).schemaRegistry).toEqual({
      url: 'http://registry:8081',
      requestTimeoutMs: 3_000,
    });
  });

  it('when a secret is half configured, then it refuses and names every missing variable', () => {
    const halfConfigured = () =>
      connectionSettings('svc', { ...base, KAFKA_SASL_MECHANISM: 'plain', SCHEMA_REGISTRY_USERNAME: 'reg' });
    expect(halfConfigured).toThrow(ConfigError);
    expect(halfConfigured).toThrow(
      /KAFKA_SASL_USERNAME[\s\S]*KAFKA_SASL_PASSWORD[\s\S]*SCHEMA_REGISTRY_PASSWORD/,
    );
  });
});
