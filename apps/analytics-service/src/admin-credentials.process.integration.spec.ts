import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';

import {
  createTestDatabase,
  freePort,
  testInfrastructure,
  waitFor,
  type TestDatabase,
} from '@ecommerce/test-infra';

const workspaceRoot = join(__dirname, '..', '..', '..');
const adminToken = `t0k3n${randomUUID().replaceAll('-', '')}`;

/** analytics-service from main.ts, logging everything, with its output kept to search for the token. */
function startService(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  let output = '';
  const serviceEnv = { ...process.env };
  delete serviceEnv['ADMIN_TOKEN'];
  // `node --import tsx`: the service is this very process, so a kill reaches it.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('apps', 'analytics-service', 'src', 'main.ts')],
    {
      cwd: workspaceRoot,
      env: { ...serviceEnv, LOG_LEVEL: 'trace', HOST: '127.0.0.1', ...env },
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('the admin token in a running analytics-service, logging at trace', () => {
  let database: TestDatabase;
  const settings = () => ({
    KAFKA_BROKERS: testInfrastructure().kafkaBrokers,
    SCHEMA_REGISTRY_URL: testInfrastructure().schemaRegistryUrl,
    TOPIC_PREFIX: `test.${randomUUID().slice(0, 8)}.`,
    KAFKA_TOPIC_PARTITIONS: '1',
    ANALYTICS_DATABASE_URL: database.url,
  });

  beforeAll(async () => {
    database = await createTestDatabase('analytics');
  });
  afterAll(() => database?.drop());

  it('when ADMIN_TOKEN is too short, then the service stops at start naming the variable, never printing the value', async () => {
    const tooShort = 'hunter2-is-not-enough';
    const { child, output } = startService({
      ...settings(),
      PORT: String(await freePort()),
      ADMIN_TOKEN: tooShort,
    });
    expect(await exitCode(child)).toBe(1);
    expect(output()).toContain('analytics-service failed to start: Invalid configuration');
    expect(output()).toContain('ADMIN_TOKEN');
    expect(output()).not.toContain(tooShort);
  });

  it('when another setting is bad, then the failed start prints no token', async () => {
    const { child, output } = startService({ ...settings(), PORT: 'eighty', ADMIN_TOKEN: adminToken });
    expect(await exitCode(child)).toBe(1);
    expect(output()).toContain('PORT');
    expect(output()).not.toContain(adminToken);
  });

  it('when admin requests are refused and served, then the token appears in no line the service prints', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { child, output } = startService({ ...settings(), PORT: String(port), ADMIN_TOKEN: adminToken });
    try {
      await waitFor(
        'analytics-service to be ready',
        async () => {
          if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output()}`);
          return (await fetch(`${url}/health/ready`).catch(() => undefined))?.status === 200;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      const deadLetters = (authorization?: string) =>
        fetch(`${url}/admin/dead-letters`, { headers: authorization ? { authorization } : {} });

      expect((await deadLetters()).status).toBe(401);
      expect((await deadLetters(`Bearer ${adminToken.slice(0, -1)}`)).status).toBe(401);
      expect(
        (await deadLetters(`Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}`)).status,
      ).toBe(401);
      const served = await deadLetters(`Bearer ${adminToken}`);
      expect(served.status).toBe(200);
      expect(await served.json()).toEqual([]);
      const rebuildWithWrongToken = await fetch(`${url}/admin/projections/rebuild`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}0` },
      });
      expect(rebuildWithWrongToken.status).toBe(401);

      child.kill('SIGTERM');
      expect(await exitCode(child)).toBe(0);
      // Trace level logged every request, its refusal and the shutdown: enough lines to mean something.
      expect(output()).toContain('"msg":"request refused"');
      expect(output()).toContain('"url":"/admin/dead-letters"');
      expect(output()).not.toContain(adminToken);
      expect(output()).not.toContain(adminToken.slice(0, 16));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
