import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import { findServiceDatabase, serviceDatabases } from '@ecommerce/db-tools';
import { createTestDatabase, freePort, type TestDatabase } from '@ecommerce/test-infra';

const workspaceRoot = join(__dirname, '..', '..', '..');

function startService(
  project: string,
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string } {
  let output = '';
  // `node --import tsx` runs the service in this very process, so signals (SIGKILL included) reach it.
  const child = spawn(process.execPath, ['--import', 'tsx', join('apps', project, 'src', 'main.ts')], {
    cwd: workspaceRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function exitCode(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return code;
}

/** Polls until the service answers ready, or fails at the deadline with what it printed. */
async function waitUntilReady(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${output()}`);
    const response = await fetch(url).catch(() => undefined);
    if (response?.status === 200) return response.json();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`service not ready within ${timeoutMs} ms:\n${output()}`);
}

describe('service processes', () => {
  it.each(serviceDatabases.map((s) => [s.project, s.service] as const))(
    '%s starts from main.ts, is ready against the real infrastructure, and exits 0 on SIGTERM',
    async (project, service) => {
      const database: TestDatabase = await createTestDatabase(service);
      const port = await freePort();
      const { child, output } = startService(project, {
        PORT: String(port),
        HOST: '127.0.0.1',
        [findServiceDatabase(service).databaseUrlVariable]: database.url,
      });
      try {
        const ready = await waitUntilReady(`http://127.0.0.1:${port}/health/ready`, child, output, 45_000);
        expect(ready).toEqual({
          status: 'ready',
          service: project,
          checks: {
            database: { status: 'up' },
            kafka: { status: 'up' },
            schemaRegistry: { status: 'up' },
            consumers: { status: 'up' },
            // Analytics publishes nothing, so it runs no relay.
            ...(service !== 'analytics' && { outboxRelay: { status: 'up' } }),
          },
        });
        child.kill('SIGTERM');
        expect(await exitCode(child, 15_000)).toBe(0);
      } finally {
        child.kill('SIGKILL');
        await database.drop();
      }
    },
  );

  it('when settings are invalid, then the service stops at start with a message naming each of them', async () => {
    const { child, output } = startService('inventory-service', {
      PORT: 'eighty',
      KAFKA_BROKERS: 'no-port-here',
      INVENTORY_DATABASE_URL: 'mysql://elsewhere',
    });
    expect(await exitCode(child, 30_000)).toBe(1);
    expect(output()).toContain('inventory-service failed to start: Invalid configuration');
    for (const variable of ['PORT', 'KAFKA_BROKERS', 'INVENTORY_DATABASE_URL'])
      expect(output()).toContain(variable);
  });

  it('when the inbox would forget events the topics can still deliver, then the service stops at start naming both settings', async () => {
    const { child, output } = startService('payment-service', {
      KAFKA_TOPIC_RETENTION_MS: String(30 * 86_400_000),
      INBOX_RETENTION_MS: String(7 * 86_400_000),
    });
    expect(await exitCode(child, 30_000)).toBe(1);
    expect(output()).toContain('payment-service failed to start: Invalid configuration');
    expect(output()).toContain(
      'INBOX_RETENTION_MS=604800000 is shorter than KAFKA_TOPIC_RETENTION_MS=2592000000',
    );
  });
});
