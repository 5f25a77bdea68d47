import { randomBytes } from 'node:crypto';

import {
  applyMigrations,
  createDatabaseIfMissing,
  databaseUrlOnServer,
  dropDatabase,
} from '@ecommerce/database';
import { Client } from 'pg';

import { diffPrismaSchemas, readPrismaSchema } from './prisma-cli';
import { compareSnapshots, snapshotSchema } from './schema-snapshot';
import { migrationSource, type ServiceDatabase } from './services';

async function withScratchDatabase<T>(
  serverUrl: string,
  label: string,
  work: (url: string) => Promise<T>,
): Promise<T> {
  const name = `scratch_${label}_${randomBytes(4).toString('hex')}`;
  await createDatabaseIfMissing(serverUrl, name);
  try {
    return await work(databaseUrlOnServer(serverUrl, name));
  } finally {
    await dropDatabase(serverUrl, name);
  }
}

async function runScript(databaseUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Differences between the database the committed migrations build and the one the service's
 * Prisma schema describes; empty when the Prisma client and the migrated database agree.
 * `serverUrl` is a PostgreSQL server where scratch databases may be created and dropped;
 * `prismaSchema` replaces the schema file's text (to check a change before writing it).
 */
export async function findSchemaDrift(
  service: ServiceDatabase,
  serverUrl: string,
  prismaSchema?: string,
): Promise<string[]> {
  const fromMigrations = await withScratchDatabase(serverUrl, `${service.service}_migrated`, async (url) => {
    await applyMigrations(url, migrationSource(service));
    return snapshotSchema(url);
  });
  const fromPrismaSchema = await withScratchDatabase(
    serverUrl,
    `${service.service}_modelled`,
    async (url) => {
      await runScript(
        url,
        await diffPrismaSchemas({ toSchema: prismaSchema ?? (await readPrismaSchema(service)), serverUrl }),
      );
      return snapshotSchema(url);
    },
  );
  return compareSnapshots(fromPrismaSchema, fromMigrations);
}
