import { spawn } from 'node:child_process';

import { exportInfrastructure, provisionTestInfrastructure } from '@ecommerce/test-infra';

/**
 * `npm test`: provisions Kafka, the schema registry and PostgreSQL once for the whole run, hands
 * them to every project's jest through the environment, runs the tests, and releases what it
 * started, also on Ctrl-C. Extra arguments go to `nx run-many`, e.g. `npm test -- --projects=order-service`.
 */
async function main(): Promise<number> {
  const provisioned = await provisionTestInfrastructure();
  console.error(`test infrastructure (${provisioned.source}): ${JSON.stringify(provisioned.infrastructure)}`);
  const env = { ...process.env };
  exportInfrastructure(provisioned.infrastructure, env);

  let child: ReturnType<typeof spawn> | undefined;
  const forward = (signal: NodeJS.Signals) => child?.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const args = ['nx', 'run-many', '-t', 'test', '--outputStyle=stream', ...process.argv.slice(2)];
    child = spawn('npx', args, { stdio: 'inherit', env });
    return await new Promise<number>((resolve, reject) => {
      child?.once('error', reject);
      child?.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await provisioned.release();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
