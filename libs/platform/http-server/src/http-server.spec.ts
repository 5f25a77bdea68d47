import pino from 'pino';

import { createHttpServer, type ServiceDependency } from './http-server';

const logger = pino({ level: 'silent' });
const up: ServiceDependency = { check: async () => undefined };

describe('createHttpServer', () => {
  it('when every dependency answers, then /health/ready is 200 and lists them as up', async () => {
    const app = await createHttpServer({
      serviceName: 'probe',
      logger,
      dependencies: { database: up, kafka: up },
    });
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      service: 'probe',
      checks: { database: { status: 'up' }, kafka: { status: 'up' } },
    });
    await app.close();
  });

  it('when a dependency fails or hangs, then /health/ready is 503 and names it with the reason', async () => {
    const failing: ServiceDependency = { check: async () => Promise.reject(new Error('connection refused')) };
    const hanging: ServiceDependency = { check: () => new Promise(() => undefined) };
    const app = await createHttpServer({
      serviceName: 'probe',
      logger,
      dependencies: { database: failing, kafka: hanging, registry: up },
      readinessTimeoutMs: 50,
    });
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json().checks).toEqual({
      database: { status: 'down', error: 'connection refused' },
      kafka: { status: 'down', error: 'no answer within 50 ms' },
      registry: { status: 'up' },
    });
    await app.close();
  });

  it('when the server closes, then every dependency is closed', async () => {
    const closed: string[] = [];
    const dependency = (name: string): ServiceDependency => ({
      ...up,
      close: async () => void closed.push(name),
    });
    const app = await createHttpServer({
      serviceName: 'probe',
      logger,
      dependencies: { a: dependency('a'), b: dependency('b') },
    });
    await app.close();
    expect(closed.sort()).toEqual(['a', 'b']);
  });

  it('/health/live answers without touching dependencies', async () => {
    const app = await createHttpServer({
      serviceName: 'probe',
      logger,
      dependencies: { db: { check: jest.fn() } },
    });
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    expect(response.json()).toEqual({ status: 'live', service: 'probe' });
    await app.close();
  });
});
