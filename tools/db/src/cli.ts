import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { exportPrismaMigrations } from './export-migrations';
import { createMigration } from './new-migration';
import { generatePrismaClient } from './prisma-cli';
import { findSchemaDrift } from './schema-drift';
import { migrateServiceDatabase } from './migrate-service';
import { findServiceDatabase, serviceDatabases } from './services';

const usage = `Usage: tsx tools/db/src/cli.ts <command> [--service NAME]

Commands:
  generate                     generate the Prisma client of every service (or --service)
  migrate                      create each service's database if missing and apply its migrations;
                               URLs from ORDER_DATABASE_URL, INVENTORY_DATABASE_URL, ... (default: local server)
  new-migration --name NAME    write the next migration of --service from its Prisma schema
  check-drift                  fail if a service's migrations and Prisma schema disagree
  export-migrations --out DIR  write each service's migrations, shared SQL included, as a plain
                               Prisma migrations folder DIR/<service> (for \`prisma migrate status\`)

Options:
  --service NAME               order, inventory, payment, notification or analytics
  POSTGRES_URL (env)           server for scratch databases (default postgresql://postgres@127.0.0.1:5432/postgres)`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return;
  }
  const services = values.service ? [findServiceDatabase(values.service)] : serviceDatabases;
  const serverUrl = process.env['POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

  switch (command) {
    case 'generate':
      await Promise.all(services.map(generatePrismaClient));
      console.log(`generated Prisma clients: ${services.map((s) => s.project).join(', ')}`);
      return;
    case 'migrate':
      for (const service of services) {
        const url =
          process.env[service.databaseUrlVariable] ??
          `postgresql://postgres@127.0.0.1:5432/${service.databaseName}`;
        const { applied, alreadyApplied } = await migrateServiceDatabase(service, url);
        console.log(
          `${service.project}: applied ${applied.length}, already applied ${alreadyApplied.length}`,
        );
      }
      return;
    case 'new-migration': {
      if (!values.service || !values.name) throw new Error('new-migration needs --service and --name');
      const folder = await createMigration(findServiceDatabase(values.service), values.name, serverUrl);
      console.log(folder ? `wrote ${folder}` : 'no schema change: nothing written');
      return;
    }
    case 'export-migrations': {
      if (!values.out) throw new Error('export-migrations needs --out');
      for (const service of services) {
        const folder = join(resolve(values.out), service.service);
        const names = await exportPrismaMigrations(service, folder);
        console.log(`${service.project}: ${names.length} migrations in ${folder}`);
      }
      return;
    }
    case 'check-drift': {
      let drifted = false;
      for (const service of services) {
        const differences = await findSchemaDrift(service, serverUrl);
        console.log(
          `${service.project}: ${differences.length ? 'DRIFT' : 'migrations match the Prisma schema'}`,
        );
        for (const line of differences) console.log(`  ${line}`);
        drifted ||= differences.length > 0;
      }
      if (drifted) process.exitCode = 1;
      return;
    }
    default:
      throw new Error(`unknown command "${command}"\n${usage}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
