import type { SqlExecutor } from './sql-executor';

/**
 * Makes the transactions that touch one business key (an order) run one after the other, even
 * when no row exists yet to lock: a transaction-scoped PostgreSQL advisory lock on (`scope`,
 * `key`), held until the transaction ends. Two handlers of one order normally run in sequence (same
 * partition); this keeps them so when a rebalance lets two consumers hold the same partition for a
 * moment, where a check for "was it cancelled?" and the write it guards would otherwise interleave.
 *
 * The two-integer form of the lock keeps these keys apart from one-key advisory locks (the outbox
 * relay's); a hash collision between two keys only makes them wait for each other.
 */
export async function lockKeyForTransaction(tx: SqlExecutor, scope: string, key: string): Promise<void> {
  await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', scope, key);
}
