import type { RunInTransaction, SqlExecutor } from '@ecommerce/database';

/**
 * Deletes at most `limit` inbox rows processed more than `retentionMs` ago (by the database's
 * clock, which wrote `processed_at`) and returns how many. Rows another sweep is deleting are
 * skipped rather than waited for, so the instances of a service can sweep at the same time.
 */
export async function deleteExpiredInboxEntries(
  db: SqlExecutor,
  { retentionMs, limit }: { retentionMs: number; limit: number },
): Promise<number> {
  return db.$executeRawUnsafe(
    `DELETE FROM inbox WHERE (consumer_group, event_id) IN (
       SELECT consumer_group, event_id FROM inbox
        WHERE processed_at < now() - $1 * interval '1 millisecond'
        LIMIT $2
        FOR UPDATE SKIP LOCKED)`,
    retentionMs,
    limit,
  );
}

export interface InboxPrunerOptions {
  /** Rows older than this are deleted; see `retentionSettings` for why it outlives the topics. */
  retentionMs: number;
  runInTransaction: RunInTransaction<SqlExecutor>;
  logger: { info(object: object, message: string): void; error(object: object, message: string): void };
  /** Time between sweeps; the first runs at `start()`. */
  intervalMs?: number;
  /** Rows per transaction: short transactions, short locks, bounded WAL per commit. */
  batchSize?: number;
}

/**
 * Keeps a service's `inbox` table from growing for ever, once INBOX_RETENTION_MS is finite. An
 * inbox row only matters while its event can still be delivered again; after the retention, it is
 * deleted. Each sweep deletes in batches of `batchSize`, each in its own transaction, until a batch
 * comes back short; a failed sweep is logged and the next one tries again.
 */
export class InboxPruner {
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly options: InboxPrunerOptions) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.batchSize = options.batchSize ?? 1_000;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Waits for the sweep in progress to end its current batch, and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  /** One sweep: deletes every expired row, batch by batch; resolves to the number deleted. */
  sweep(): Promise<number> {
    this.sweeping ??= this.deleteInBatches().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweep()
        .catch((error: unknown) =>
          this.options.logger.error({ err: error }, 'inbox pruning failed; retrying at the next sweep'),
        )
        .finally(() => this.schedule(this.intervalMs));
    }, delayMs);
    // The sweep never keeps a process alive that has nothing else to do.
    this.timer.unref();
  }

  private async deleteInBatches(): Promise<number> {
    const { retentionMs, runInTransaction } = this.options;
    let deleted = 0;
    for (;;) {
      const batch = await runInTransaction((tx) =>
        deleteExpiredInboxEntries(tx, { retentionMs, limit: this.batchSize }),
      );
      deleted += batch;
      if (batch < this.batchSize || this.stopped) break;
    }
    if (deleted > 0)
      this.options.logger.info({ deleted, retentionMs }, 'inbox rows past their retention deleted');
    return deleted;
  }
}
