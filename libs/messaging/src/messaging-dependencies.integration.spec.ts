import { createServer, type AddressInfo } from 'node:net';

import { testInfrastructure } from '@ecommerce/test-infra';

import { parseBrokers } from './kafka-client';
import { messagingDependencies } from './messaging-dependencies';
import { checkSchemaRegistry, createSchemaRegistry } from './schema-registry';

describe('parseBrokers', () => {
  it('splits, trims and drops empty entries', () => {
    expect(parseBrokers(' a:1, b:2,,')).toEqual(['a:1', 'b:2']);
  });
});

describe('messaging dependencies', () => {
  const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();

  it('when Kafka and the registry answer, then both checks pass', async () => {
    const dependencies = messagingDependencies('health-test', {
      KAFKA_BROKERS: kafkaBrokers,
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    });
    try {
      await expect(dependencies.kafka.check()).resolves.toBeUndefined();
      await expect(dependencies.schemaRegistry.check()).resolves.toBeUndefined();
    } finally {
      await dependencies.kafka.close();
    }
  });

  it('when the registry URL points at nothing, then its check rejects', async () => {
    const dependencies = messagingDependencies('health-test', {
      KAFKA_BROKERS: kafkaBrokers,
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9/apis/ccompat/v7',
    });
    await expect(dependencies.schemaRegistry.check()).rejects.toThrow();
  });

  it('when the registry answers with an error status, then its check names it', async () => {
    // The check itself, with a deadline far above its 5 s default: what is tested is the message,
    // and a registry under CI's load has been seen to take longer than 5 s over an unknown path.
    await expect(checkSchemaRegistry({ url: `${schemaRegistryUrl}/no-such-api` }, 60_000)).rejects.toThrow(
      /schema registry answered 404/,
    );
  });
});

describe('the schema registry client', () => {
  it('when the registry accepts the connection but never answers, then the request fails instead of hanging', async () => {
    const silent = createServer(() => undefined); // accepts, reads nothing, answers nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const registry = createSchemaRegistry({ url: `http://127.0.0.1:${port}` });
      const started = Date.now();
      await expect(registry.getSchema(1)).rejects.toThrow();
      // The client's own retries (3) each get the deadline: bounded, not forever.
      expect(Date.now() - started).toBeLessThan(120_000);
    } finally {
      silent.close();
    }
  }, 150_000);
});
