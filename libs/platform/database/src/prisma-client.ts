import { PrismaPg } from '@prisma/adapter-pg';

/** What every generated Prisma client accepts; each service passes its own generated class. */
type PrismaClientClass<Client> = new (options: { adapter: PrismaPg }) => Client;

/**
 * Prisma 7 with the `pg` driver adapter: queries are planned by Prisma's Wasm query compiler and
 * run through node-postgres, so no native engine binary is needed at run time.
 */
export function createPrismaClient<Client>(
  ClientClass: PrismaClientClass<Client>,
  databaseUrl: string,
): Client {
  return new ClientClass({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

/** Readiness and shutdown of a Prisma client, in the shape the HTTP server expects. */
export function databaseDependency(prisma: {
  $queryRawUnsafe(query: string): Promise<unknown>;
  $disconnect(): Promise<void>;
}) {
  return {
    check: async () => void (await prisma.$queryRawUnsafe('SELECT 1')),
    close: () => prisma.$disconnect(),
  };
}
