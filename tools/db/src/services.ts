import { join } from 'node:path';

import type { MigrationSource } from '@ecommerce/database';

/** The services that own a database, and where their Prisma schema and migrations live. */
export interface ServiceDatabase {
  /** Short name: `order`, `inventory`, ... */
  service: string;
  /** Nx project name, which is also its folder under `apps/`. */
  project: string;
  /** Database name used by the local infrastructure and the compose demo. */
  databaseName: string;
  /** Environment variable that carries the service's database URL. */
  databaseUrlVariable: string;
}

export const serviceDatabases: readonly ServiceDatabase[] = [
  'order',
  'inventory',
  'payment',
  'notification',
  'analytics',
].map((service) => ({
  service,
  project: `${service}-service`,
  databaseName: `ecommerce_${service}`,
  databaseUrlVariable: `${service.toUpperCase()}_DATABASE_URL`,
}));

export const workspaceRoot = join(__dirname, '..', '..', '..');

export function prismaSchemaPath(service: ServiceDatabase): string {
  return join(workspaceRoot, 'apps', service.project, 'prisma', 'schema.prisma');
}

export function migrationsDir(service: ServiceDatabase): string {
  return join(workspaceRoot, 'apps', service.project, 'prisma', 'migrations');
}

/**
 * The libraries that own SQL several services' migrations share, by the name their
 * `shared-migrations.json` files use: the outbox table beside the relay that reads it, the inbox
 * table beside the consumers that write it.
 */
export const sharedMigrationsDirs: Readonly<Record<string, string>> = {
  outbox: join(workspaceRoot, 'libs', 'outbox', 'migrations'),
  messaging: join(workspaceRoot, 'libs', 'messaging', 'migrations'),
};

/** What `applyMigrations` reads for a service: its own folder and the shared SQL it names. */
export function migrationSource(service: ServiceDatabase): MigrationSource {
  return { migrationsDir: migrationsDir(service), sharedMigrationsDirs };
}

export function findServiceDatabase(nameOrProject: string): ServiceDatabase {
  const found = serviceDatabases.find((s) => s.service === nameOrProject || s.project === nameOrProject);
  if (!found) {
    throw new Error(
      `unknown service "${nameOrProject}"; expected one of ${serviceDatabases.map((s) => s.service).join(', ')}`,
    );
  }
  return found;
}
