import { parseArgs } from 'node:util';

import { migrateServiceDatabase, serviceDatabases } from '@ecommerce/db-tools';

import { localInfraDown, localInfraStatus, localInfraUp, type ComponentStatus } from './local-infra';
import type { LocalInfraOptions } from './local-infra-config';
import { LocalInfraError } from './local-infra-error';
import { localInfraEnv, toShellExports } from './shell-env';

/**
 * npx tsx infra/local/src/cli.ts up|down|status [--brokers N] [--kafka-version X.Y.Z]
 *
 * `up` writes only `# comment` and `export` lines to stdout, so `eval "$(npx tsx infra/local/src/cli.ts up)"`
 * works (with npm use `npm run -s infra:up`, as npm otherwise prints its own banner on stdout);
 * progress goes to stderr. The flags override LOCAL_KAFKA_BROKERS_COUNT and LOCAL_KAFKA_VERSION.
 */

const USAGE = 'usage: cli.ts up | down | status [--brokers N] [--kafka-version X.Y.Z]';

/** The flags as LocalInfraOptions; their values are validated with the environment's (same messages). */
function parseFlags(args: readonly string[]): { command: string | undefined; options: LocalInfraOptions } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { brokers: { type: 'string' }, 'kafka-version': { type: 'string' } },
    });
  } catch (error: unknown) {
    throw new LocalInfraError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const { brokers, 'kafka-version': kafkaVersion } = parsed.values;
  if (parsed.positionals.length > 1) throw new LocalInfraError(USAGE);
  return {
    command: parsed.positionals[0],
    options: {
      ...(brokers !== undefined && { kafkaBrokerCount: Number(brokers) }),
      ...(kafkaVersion !== undefined && { kafkaVersion }),
    },
  };
}

/** Applies each service's migrations to its database, the same way tests and the compose demo do. */
async function migrateServiceDatabases(databaseUrls: Record<string, string>): Promise<void> {
  for (const service of serviceDatabases) {
    const url = databaseUrls[service.databaseName];
    if (!url) continue;
    const { applied } = await migrateServiceDatabase(service, url);
    process.stderr.write(`[local-infra] ${service.databaseName}: ${applied.length} migration(s) applied\n`);
  }
}

async function main(args: readonly string[]): Promise<void> {
  const { command, options } = parseFlags(args);
  const started = Date.now();
  const seconds = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  switch (command) {
    case 'up': {
      const result = await localInfraUp({ ...options, afterDatabasesReady: migrateServiceDatabases });
      const env = localInfraEnv(result);
      const databases = Object.keys(result.databaseUrls).length;
      process.stdout.write(
        `# Local infra is up (${result.startedNow ? 'started now' : 'already running'}, ${seconds()}): ` +
          `Kafka ${result.kafkaBrokers} (replication factor ${result.kafkaReplicationFactor}), schema registry ${result.schemaRegistryUrl}, ` +
          `${databases} databases. Load with: eval "$(npx tsx infra/local/src/cli.ts up)"\n` +
          `${toShellExports(env)}\n`,
      );
      return;
    }
    case 'down': {
      const stopped = await localInfraDown(options);
      process.stdout.write(
        stopped.length === 0
          ? 'Local infra: nothing was running.\n'
          : `Local infra stopped in ${seconds()}: ${stopped
              .map(
                ({ name, nodeId, pid, outcome }) =>
                  `${name === 'kafka' ? `Kafka node ${nodeId}` : 'Schema registry'} pid ${pid} (${outcome})`,
              )
              .join(', ')}.\n`,
      );
      return;
    }
    case 'status': {
      const status = await localInfraStatus(options);
      const lines = [
        ...status.kafkaNodes.map((node) =>
          describe(node, `Kafka ${node.version ?? status.kafkaVersion}, 127.0.0.1:${node.ports[0] ?? '?'}`),
        ),
        describe(status.schemaRegistry, status.endpoints.schemaRegistryUrl),
        `${'PostgreSQL'.padEnd(28)} ${status.postgres.reachable ? 'reachable' : 'UNREACHABLE'}  ${status.postgres.adminUrl} (not managed here)`,
      ];
      if (status.kafkaNodes.every((node) => node.running) && status.schemaRegistry.running) {
        lines.push('', toShellExports(localInfraEnv(status.endpoints)));
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      return;
    }
    default:
      throw new LocalInfraError(USAGE);
  }
}

function describe(component: ComponentStatus, endpoint: string): string {
  const label = component.label.padEnd(28);
  if (!component.running) return `${label} stopped      (log: ${component.logFile})`;
  const rss = component.rssMiB === undefined ? '' : `, RSS ${component.rssMiB} MiB`;
  return `${label} running      pid ${component.pid ?? '?'}${rss}, ports ${component.ports.join('/')}, ${endpoint} (log: ${component.logFile})`;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof LocalInfraError) {
    process.stderr.write(`local-infra: ${error.message}\n`);
  } else {
    process.stderr.write(
      `local-infra: unexpected failure\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    if (error instanceof Error && error.cause !== undefined)
      process.stderr.write(`caused by: ${String(error.cause)}\n`);
  }
  process.exitCode = 1;
});
