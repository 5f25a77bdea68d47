// Used only by tools/db to run `prisma migrate diff` with Prisma 6.19's JS engine (see prisma-cli.ts).
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma6/config';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: required('PRISMA_DIFF_SCHEMA'),
  // The Prisma 7 adapter serves the Prisma 6 CLI here: the diff only needs a live connection.
  adapter: async () =>
    new PrismaPg({ connectionString: required('PRISMA_DIFF_DATABASE_URL'), allowExitOnIdle: true }) as never,
});
