import { createServer as createHttpServer } from 'node:http';
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
    // A server that answers every request 503, as a registry does while it starts or its storage
    // is down. (Asking the real Apicurio for a path it lacks was tried first: under CI's load it
    // has logged the 404 and then not finished the response within 60 s.)
    const unavailable = createHttpServer((_request, response) => {
      response.writeHead(503, 'Service Unavailable').end();
    });
    await new Promise<void>((resolve) => unavailable.listen(0, '127.0.0.1', resolve));
    const { port } = unavailable.address() as AddressInfo;
    try {
      await expect(checkSchemaRegistry({ url: `http://127.0.0.1:${port}/apis/ccompat/v7` })).rejects.toThrow(
        'schema registry answered 503 Service Unavailable',
      );
    } finally {
      unavailable.close();
    }
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
