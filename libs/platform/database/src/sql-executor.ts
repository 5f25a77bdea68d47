/**
 * What shared libraries (outbox writer, inbox) need from a service's database handle: raw SQL with
 * bound parameters. A Prisma client and a Prisma interactive transaction both satisfy it, so the
 * libraries write inside the caller's transaction without knowing the service's generated client.
 */
export interface SqlExecutor {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** Runs `work` in one database transaction and returns its result; rolls back if it throws. */
export type RunInTransaction<Tx extends SqlExecutor> = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
