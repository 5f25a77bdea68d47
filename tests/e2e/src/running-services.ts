import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { findServiceDatabase } from '@ecommerce/db-tools';
import {
  createTestDatabase,
  freePort,
  testInfrastructure,
  waitFor,
  type TestDatabase,
} from '@ecommerce/test-infra';

const workspaceRoot = join(__dirname, '..', '..', '..');

export type ServiceName = 'order' | 'inventory' | 'payment' | 'notification' | 'analytics';
const serviceNames: ServiceName[] = ['inventory', 'order', 'payment', 'notification', 'analytics'];

interface RunningService {
  name: ServiceName;
  url: string;
  child: ChildProcess;
  output: () => string;
}

export interface RunningSystem {
  url(service: ServiceName): string;
  topicPrefix: string;
  stop(): Promise<void>;
}

/**
 * The five services as real processes (`node --import tsx`, so signals reach them), each with a
 * fresh database, all on one fresh topic prefix, against the run's Kafka, registry and PostgreSQL.
 * With `instances: 2`, every service runs twice on its database, in the same consumer groups.
 * Tests drive them through their REST APIs only.
 */
export async function startSystem(
  settings: Record<string, string> = {},
  { instances = 1 }: { instances?: number } = {},
): Promise<RunningSystem> {
  const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
  const topicPrefix = `e2e.${randomUUID().slice(0, 8)}.`;
  const services: RunningService[] = [];
  const databases: TestDatabase[] = [];
  try {
    for (const name of serviceNames) {
      const database = await createTestDatabase(name);
      databases.push(database);
      for (let instance = 0; instance < instances; instance++) {
        const port = await freePort();
        let output = '';
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', join('apps', `${name}-service`, 'src', 'main.ts')],
          {
            cwd: workspaceRoot,
            env: {
              ...process.env,
              PORT: String(port),
              HOST: '127.0.0.1',
              LOG_LEVEL: 'warn',
              KAFKA_BROKERS: kafkaBrokers,
              SCHEMA_REGISTRY_URL: schemaRegistryUrl,
              TOPIC_PREFIX: topicPrefix,
              KAFKA_TOPIC_PARTITIONS: '3',
              [findServiceDatabase(name).databaseUrlVariable]: database.url,
              ...settings,
            },
          },
        );
        child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        services.push({ name, url: `http://127.0.0.1:${port}`, child, output: () => output });
        // One at a time: the first creates the topics and registers the schemas the others use.
        await waitFor(
          `${name}-service to be ready`,
          async () => {
            if (child.exitCode !== null) throw new Error(`${name}-service exited:\n${output}`);
            const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
            return response?.status === 200;
          },
          { timeoutMs: 60_000, intervalMs: 200 },
        );
      }
    }
  } catch (error) {
    await stopAll(services, databases);
    throw error;
  }
  let calls = 0;
  return {
    topicPrefix,
    // Requests rotate over a service's instances: any instance must serve any request.
    url: (name) => {
      const instancesOf = services.filter((s) => s.name === name);
      const service = instancesOf[calls++ % instancesOf.length];
      if (!service) throw new Error(`no ${name}-service`);
      return service.url;
    },
    stop: () => stopAll(services, databases),
  };
}

async function stopAll(services: RunningService[], databases: TestDatabase[]): Promise<void> {
  await Promise.all(
    services.map(async (service) => {
      if (service.child.exitCode !== null) return;
      service.child.kill('SIGTERM');
      const timer = setTimeout(() => service.child.kill('SIGKILL'), 15_000);
      await once(service.child, 'exit');
      clearTimeout(timer);
    }),
  );
  await Promise.all(databases.map((database) => database.drop()));
}

/** JSON over HTTP, as a client of the system would call it. */
export async function call(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}
