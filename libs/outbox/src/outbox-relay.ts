import { Client } from 'pg';

import type { PendingOutboxMessage } from './outbox-message';
import { publishWithTraceSpans } from './traced-publish';

/** Sends messages to the broker, in the given order, and resolves once the broker has them all. */
export interface OutboxPublisher {
  publish(messages: readonly PendingOutboxMessage[]): Promise<void>;
}

/** Where the relay reports what it does (metrics); every method is optional. */
export interface OutboxRelayObserver {
  published?(messages: readonly PendingOutboxMessage[], commitToPublishMs: readonly number[]): void;
  backlog?(pending: number, oldestAgeSeconds: number): void;
  leadershipChanged?(leading: boolean): void;
}

export interface RelayLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface OutboxRelayOptions {
  databaseUrl: string;
  publisher: OutboxPublisher;
  logger: RelayLogger;
  observer?: OutboxRelayObserver;
  /** Rows per publish. */
  batchSize?: number;
  /** Fallback poll, for a wake-up missed while reconnecting. */
  pollIntervalMs?: number;
  /** How often a standby relay tries to take over, and the pause after a failure. */
  standbyRetryMs?: number;
  /** Published rows older than this are deleted. */
  retentionMs?: number;
  /**
   * Called after the broker acknowledged a batch and before the rows are marked published. For
   * fault-injection tests (a crash here must lead to re-publication, never to loss).
   */
  afterPublish?: (messages: readonly PendingOutboxMessage[]) => Promise<void> | void;
}

// One relay per database publishes at a time: the holder of this session-level advisory lock.
// Advisory locks are scoped to the database, so each service's relays compete only with each other.
const RELAY_LEADER_LOCK = 4_271_998_117;
const RETENTION_SWEEP_INTERVAL_MS = 60_000;

interface OutboxRow {
  id: string;
  event_id: string;
  event_type: string;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
  created_at: Date;
}

function toMessage(row: OutboxRow): PendingOutboxMessage {
  return {
    id: BigInt(row.id),
    eventId: row.event_id,
    eventType: row.event_type,
    topic: row.topic,
    key: row.message_key,
    payload: row.payload,
    headers: row.headers,
    createdAt: row.created_at,
  };
}

/**
 * Publishes committed outbox rows to Kafka in commit order and marks them published.
 *
 * - At least once: rows are marked only after the broker acknowledged them, so a crash between
 *   the two re-publishes them; consumers drop the duplicates by event id.
 * - Per-key order with any number of instances: only the holder of a PostgreSQL advisory lock
 *   publishes; the others stand by and take over when its session ends (crash, kill -9, network).
 *   Two writers of one key serialise on that aggregate's row, so ids follow commit order per key.
 * - Low latency: the leader LISTENs for the insert trigger's NOTIFY, sent at commit, and polls only
 *   as a fallback.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly standbyRetryMs: number;
  private readonly retentionMs: number;
  private stopping = false;
  private running: Promise<void> | undefined;
  private wakePending = false;
  private wakeWaiter: (() => void) | undefined;
  private lastRetentionSweep = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.standbyRetryMs = options.standbyRetryMs ?? 1_000;
    this.retentionMs = options.retentionMs ?? 24 * 60 * 60 * 1_000;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Resolves while the relay runs (leading or standing by); rejects with the reason otherwise. */
  async checkRunning(): Promise<void> {
    if (!this.running || this.stopping) throw new Error('outbox relay is not running');
  }

  /** Finishes the batch in flight, releases leadership and returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.leadWhileHoldingLock();
      } catch (error) {
        this.options.logger.error({ err: error }, 'outbox relay failed; retrying');
      }
      if (!this.stopping) await this.waitForWake(this.standbyRetryMs);
    }
  }

  private async leadWhileHoldingLock(): Promise<void> {
    const client = new Client({ connectionString: this.options.databaseUrl });
    let connectionError: Error | undefined;
    // A broken connection is reported as an event; remember it and wake the loop to give up the lead.
    client.on('error', (error) => {
      connectionError = error;
      this.wake();
    });
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        RELAY_LEADER_LOCK,
      ]);
      if (!rows[0]?.locked) return;
      this.options.logger.info({}, 'outbox relay is the leader');
      this.options.observer?.leadershipChanged?.(true);
      client.on('notification', () => this.wake());
      await client.query('LISTEN outbox');
      while (!this.stopping) {
        if (connectionError) throw connectionError;
        const published = await this.publishBatch(client);
        if (published < this.batchSize) {
          await this.reportBacklogAndSweep(client);
          await this.waitForWake(this.pollIntervalMs);
        }
      }
    } finally {
      this.options.observer?.leadershipChanged?.(false);
      // Ending the session releases the advisory lock; if the connection is already broken there
      // is nothing left to release, so a failure to end it is only worth a warning.
      await client
        .end()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'closing relay connection'));
    }
  }

  private async publishBatch(client: Client): Promise<number> {
    const { rows } = await client.query<OutboxRow>(
      `SELECT id, event_id, event_type, topic, message_key, payload, headers, created_at
       FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
      [this.batchSize],
    );
    if (rows.length === 0) return 0;
    const messages = rows.map(toMessage);
    await publishWithTraceSpans(messages, (traced) => this.options.publisher.publish(traced));
    const publishedAt = Date.now();
    await this.options.afterPublish?.(messages);
    await client.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [
      rows.map((r) => r.id),
    ]);
    this.options.observer?.published?.(
      messages,
      messages.map((message) => publishedAt - message.createdAt.getTime()),
    );
    return rows.length;
  }

  private async reportBacklogAndSweep(client: Client): Promise<void> {
    if (this.options.observer?.backlog) {
      const { rows } = await client.query<{ pending: string; oldest_age: number | null }>(
        `SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest_age
         FROM outbox WHERE published_at IS NULL`,
      );
      this.options.observer.backlog(Number(rows[0]?.pending ?? 0), rows[0]?.oldest_age ?? 0);
    }
    if (Date.now() - this.lastRetentionSweep >= RETENTION_SWEEP_INTERVAL_MS) {
      this.lastRetentionSweep = Date.now();
      await client.query(
        `DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => $1)`,
        [this.retentionMs / 1_000],
      );
    }
  }

  private wake(): void {
    this.wakePending = true;
    this.wakeWaiter?.();
  }

  /** Resolves on the next wake-up (notification, stop, broken connection) or after `timeoutMs`. */
  private async waitForWake(timeoutMs: number): Promise<void> {
    if (!this.wakePending) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        this.wakeWaiter = done;
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
      this.wakeWaiter = undefined;
    }
    this.wakePending = false;
  }
}
