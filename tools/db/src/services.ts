import { join } from 'node:path';

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

export function findServiceDatabase(nameOrProject: string): ServiceDatabase {
  const found = serviceDatabases.find((s) => s.service === nameOrProject || s.project === nameOrProject);
  if (!found) {
    throw new Error(
      `unknown service "${nameOrProject}"; expected one of ${serviceDatabases.map((s) => s.service).join(', ')}`,
    );
  }
  return found;
}
