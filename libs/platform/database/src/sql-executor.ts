/**
 * What shared libraries (outbox writer, inbox) need from a service's database handle: raw SQL with
 * bound parameters. A Prisma client and a Prisma interactive transaction both satisfy it, so the
 * libraries write inside the caller's transaction without knowing the service's generated client.
 */
export interface SqlExecutor {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  /**
   * Sends a write whose result the work does not read and returns without waiting for it: the
   * statements after it, and the COMMIT, follow it on the wire at once. Its transaction commits only
   * if it succeeded, and otherwise fails with its error. Only `createSqlTransactions`'s
   * transactions have it; call `executePipelined`, which awaits the statement where it is missing.
   */
  $executePipelined?(query: string, ...values: unknown[]): void;
}

/**
 * A write whose result the work does not need (an outbox row, a stock update): pipelined where the
 * transaction can (`$executePipelined`), otherwise executed and awaited as any statement.
 */
export async function executePipelined(tx: SqlExecutor, query: string, ...values: unknown[]): Promise<void> {
  if (tx.$executePipelined) tx.$executePipelined(query, ...values);
  else await tx.$executeRawUnsafe(query, ...values);
}

/** Runs `work` in one database transaction and returns its result; rolls back if it throws. */
export type RunInTransaction<Tx extends SqlExecutor> = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
