import { outboxRelaySettings } from '@ecommerce/config';
import { Client } from 'pg';

import { leaderClientConfig, leaderSessionTimings, type LeaderSessionTimings } from './leader-session';
import type { PendingOutboxMessage } from './outbox-message';
import {
  deleteExpiredRows,
  markPublished,
  readBacklog,
  recordRefusal,
  selectWaitingRows,
  type AcknowledgedRow,
  type OutboxBacklog,
  type WaitingRow,
} from './outbox-table';
import { publishWithTraceSpans } from './traced-publish';

/**
 * Sends messages to the broker, in the given order, and resolves once the broker has them all.
 * A failure whose error carries `refused: true` says the broker refused the messages themselves,
 * for good (too large for the topic, no such topic, ...): the relay then finds the row at fault and
 * spends that row's attempts. Any other failure is an outage (broker unreachable, timeouts), which
 * spends no attempt.
 */
export interface OutboxPublisher {
  publish(messages: readonly PendingOutboxMessage[]): Promise<void>;
}

/** Where the relay reports what it does (metrics); every method is optional. */
export interface OutboxRelayObserver {
  published?(messages: readonly PendingOutboxMessage[], commitToPublishMs: readonly number[]): void;
  /** Reported by the leader on a timer, whether it is idle or saturated. */
  backlog?(backlog: OutboxBacklog): void;
  publishFailed?(reason: 'refused' | 'unavailable'): void;
  quarantined?(message: PendingOutboxMessage): void;
  /** Whether the relay leads, has rows waiting and has published nothing for its stall window. */
  stalled?(stalled: boolean): void;
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
  /** Rows per publish, at most. */
  batchSize?: number;
  /** Bytes (payload, key, headers) per publish, at most; a single larger row is sent alone. */
  batchMaxBytes?: number;
  /** Fallback poll, for a wake-up missed while reconnecting. */
  pollIntervalMs?: number;
  /** Published rows older than this are deleted. */
  retentionMs?: number;
  /** How often the leader deletes expired rows. */
  retentionSweepIntervalMs?: number;
  /** A leader with rows waiting that published nothing for this long fails `checkRunning`. */
  stallWindowMs?: number;
  /** Refusals of a row by the broker before it is quarantined. */
  maxAttempts?: number;
  /** Pause before a refused row is tried again; doubles with each of its attempts. */
  refusedRowRetryDelayMs?: number;
  /** Bound on how long a silent leader keeps the standbys waiting (see `leaderSessionTimings`). */
  leaderTakeoverMs?: number;
  /** How often a standby tries to take over; derived from `leaderTakeoverMs` unless given. */
  standbyRetryMs?: number;
  /** How often the leader reports the backlog; its heartbeat may make it more often. */
  reportIntervalMs?: number;
  /**
   * How long the marks of published rows wait for the next read to carry them, before they go in a
   * statement of their own (see `OutboxRelay`).
   */
  markDelayMs?: number;
  /**
   * Called after the broker acknowledged a batch and before the rows are marked published. For
   * fault-injection tests (a crash here must lead to re-publication, never to loss).
   */
  afterPublish?: (messages: readonly PendingOutboxMessage[]) => Promise<void> | void;
}

// One relay per database publishes at a time: the holder of this session-level advisory lock.
// Advisory locks are scoped to the database, so each service's relays compete only with each other.
export const RELAY_LEADER_LOCK = 4_271_998_117;
const MAX_REFUSED_ROW_RETRY_DELAY_MS = 30_000;
// Under load the next commit's NOTIFY comes within a few ms and its read carries the marks; idle, a
// mark goes alone after this. Its only costs: a crash re-publishes up to this much more (duplicates
// the inboxes drop), and the backlog gauge counts the rows as waiting meanwhile.
const DEFAULT_MARK_DELAY_MS = 50;
const MAX_OUTAGE_PAUSE_MS = 5_000;
/** During an outage the relay tries every few seconds; it says so once, then at most this often. */
const OUTAGE_LOG_INTERVAL_MS = 30_000;

/** How a publish of some rows ended: all out (or set aside), a row refused and waiting for its next try, or an outage. */
type PublishOutcome =
  { kind: 'done' } | { kind: 'refused'; retryInMs: number } | { kind: 'unavailable'; error: unknown };

/** The relay's database session, standing by or leading; `lost` is set when it broke or stopped answering. */
interface LeaderSession {
  client: Client;
  lost: Error | undefined;
}

function isRefusal(error: unknown): boolean {
  return (error as { refused?: unknown } | null)?.refused === true;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}

/**
 * Publishes committed outbox rows to Kafka in commit order per key and marks them published.
 *
 * - At least once: rows are marked only after the broker acknowledged them, so a crash between
 *   the two re-publishes them; consumers drop the duplicates by event id. The marks ride on the
 *   next read of waiting rows, one round trip per round instead of two, when a commit wakes the
 *   relay within `markDelayMs` (under load, most rounds); otherwise, and before the relay stops,
 *   they go alone. `published_at` is the broker's acknowledgement, by the relay's clock.
 * - Per-key order with any number of instances: only the holder of a PostgreSQL advisory lock
 *   publishes; the others stand by and take over when its session ends (crash, kill -9, or a
 *   silent leader whose session the server ends: see `leaderSessionTimings`). Two writers of one
 *   key serialise on that aggregate's row, so per key, ids follow commit order, and a row is
 *   visible only after every earlier row of its key; the relay reads the oldest visible rows in id
 *   order, so each key's rows go out in commit order, whatever the order of other keys' commits.
 * - Two leaders at once: a leader whose session the server ended may still be sending the one
 *   batch it read before; it cannot read or mark anything after that, and its client gives up
 *   within the takeover bound. The new leader re-reads those unmarked rows and publishes them, in
 *   order, before anything newer. So the old leader's batch can only add late duplicates (same
 *   event ids), which consumers drop by inbox: each key's first deliveries stay in commit order.
 * - Low latency: the leader LISTENs for the insert trigger's NOTIFY, sent at commit, and polls only
 *   as a fallback.
 * - One poison row does not block the rest: batches are capped in rows and bytes; when the broker
 *   refuses a batch for good, the relay halves it until it finds the row at fault (the rows before
 *   it go out, no innocent row spends an attempt), retries that row alone with backoff, and after
 *   `maxAttempts` quarantines it (attempts, last error and time on the row) and goes on with the
 *   rows behind it, later rows of the same key included (see the README: liveness over order for
 *   that one key; consumers' state machines ignore events that no longer apply). Outages spend no
 *   attempt.
 * - Observable: backlog, oldest age and quarantined rows are reported on a timer (which is also
 *   the leader's heartbeat), saturated or not; `checkRunning` fails while the leader has rows
 *   waiting and has published nothing for `stallWindowMs`.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly batchMaxBytes: number;
  private readonly pollIntervalMs: number;
  private readonly retentionMs: number;
  private readonly retentionSweepIntervalMs: number;
  private readonly stallWindowMs: number;
  private readonly maxAttempts: number;
  private readonly refusedRowRetryDelayMs: number;
  private readonly timings: LeaderSessionTimings;
  private readonly standbyRetryMs: number;
  private readonly housekeepingIntervalMs: number;
  private readonly markDelayMs: number;
  private stopping = false;
  private running: Promise<void> | undefined;
  private wakePending = false;
  private wakeWaiter: (() => void) | undefined;
  private lastRetentionSweep = 0;
  private leading = false;
  /** Since when rows have been waiting without the relay catching up; undefined when it has. */
  private waitingSince: number | undefined;
  private lastPublishedAt = 0;
  private lastFailure: string | undefined;
  private reportedStalled = false;
  /** Refused rows waiting for their next try: row id -> earliest time of that try. */
  private readonly refusedRowRetryAt = new Map<bigint, number>();
  private outage: { since: number; failures: number; loggedAt: number } | undefined;
  private housekeepingInFlight = false;
  /** Rows the broker has acknowledged and this session has not marked published yet. */
  private unmarked: AcknowledgedRow[] = [];

  constructor(private readonly options: OutboxRelayOptions) {
    // Defaults are the settings' documented ones (the README's Configuration table).
    const defaults = outboxRelaySettings;
    this.batchSize = options.batchSize ?? defaults.OUTBOX_BATCH_MAX_ROWS.default;
    this.batchMaxBytes = options.batchMaxBytes ?? defaults.OUTBOX_BATCH_MAX_BYTES.default;
    this.pollIntervalMs = options.pollIntervalMs ?? defaults.OUTBOX_POLL_INTERVAL_MS.default;
    this.retentionMs = options.retentionMs ?? defaults.OUTBOX_RETENTION_MS.default;
    this.retentionSweepIntervalMs = options.retentionSweepIntervalMs ?? 60_000;
    this.stallWindowMs = options.stallWindowMs ?? defaults.OUTBOX_STALL_WINDOW_MS.default;
    this.maxAttempts = options.maxAttempts ?? defaults.OUTBOX_MAX_ATTEMPTS.default;
    this.refusedRowRetryDelayMs = options.refusedRowRetryDelayMs ?? 500;
    this.timings = leaderSessionTimings(
      options.leaderTakeoverMs ?? defaults.OUTBOX_LEADER_TAKEOVER_MS.default,
    );
    this.standbyRetryMs = options.standbyRetryMs ?? this.timings.standbyRetryMs;
    this.housekeepingIntervalMs = Math.min(
      this.timings.heartbeatIntervalMs,
      options.reportIntervalMs ?? 5_000,
    );
    this.markDelayMs = options.markDelayMs ?? DEFAULT_MARK_DELAY_MS;
  }

  start(): void {
    this.running ??= this.run();
  }

  /**
   * Resolves while the relay runs and makes progress (leading and publishing, or standing by);
   * rejects with the reason otherwise: not started, stopped, or leading with rows waiting and
   * nothing published for the stall window (broker unreachable, every publish failing).
   */
  async checkRunning(): Promise<void> {
    if (!this.running || this.stopping) throw new Error('outbox relay is not running');
    const silentMs = this.stalledForMs();
    if (silentMs !== undefined) {
      throw new Error(
        `outbox relay has published nothing for ${Math.round(silentMs / 1_000)} s while rows wait` +
          (this.lastFailure ? ` (last failure: ${this.lastFailure})` : ''),
      );
    }
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
        await this.holdSession();
      } catch (error) {
        this.options.logger.error({ err: error }, 'outbox relay failed; retrying');
      }
      if (!this.stopping) await this.waitForWake(this.standbyRetryMs);
    }
  }

  /**
   * One database session: it tries the lock every `standbyRetryMs` until it holds it, then leads on
   * it until the relay stops or the session breaks. A standby keeps its session between tries: a
   * new connection per try cost its own process about 3 ms of CPU a second and PostgreSQL a server
   * process started and ended every second, about 30 ms of CPU each on the benchmark's machine
   * (BENCHMARKS.md, "A standby relay keeps its session").
   */
  private async holdSession(): Promise<void> {
    const session: LeaderSession = {
      client: new Client(leaderClientConfig(this.options.databaseUrl, this.timings)),
      lost: undefined,
    };
    const { client } = session;
    // A broken connection is reported as an event; remember it and wake the loop to give it up.
    client.on('error', (error) => this.loseSession(session, error));
    try {
      await client.connect();
      while (!this.stopping) {
        if (session.lost) throw session.lost;
        const { rows } = await client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock($1) AS locked',
          [RELAY_LEADER_LOCK],
        );
        if (rows[0]?.locked) {
          await this.lead(session);
          return;
        }
        await this.waitForWake(this.standbyRetryMs);
      }
    } finally {
      if (this.leading) this.setLeading(false);
      await this.endSession(client);
    }
  }

  private async lead(session: LeaderSession): Promise<void> {
    const { client } = session;
    this.setLeading(true);
    client.on('notification', () => this.wake());
    await client.query('LISTEN outbox');
    const housekeeping = setInterval(() => this.housekeep(session), this.housekeepingIntervalMs);
    // A session marks only what it published: the marks a broken session never sent are published
    // again by whoever leads next, as after a crash.
    this.unmarked = [];
    try {
      this.housekeep(session);
      while (!this.stopping) {
        if (session.lost) throw session.lost;
        const waitMs = await this.publishRound(session);
        if (waitMs > 0) await this.waitForNextRound(session, waitMs);
      }
      // Stopping: what the broker has is marked before the lock goes, so the next leader does not
      // publish it again.
      if (session.lost) throw session.lost;
      await this.markUnmarked(session);
    } finally {
      clearInterval(housekeeping);
    }
  }

  /**
   * Waits up to `waitMs` for the next round; a wake-up (a commit's NOTIFY, stop, a broken session)
   * ends the wait early. Marks still unmarked wait for the next read to carry them; when no wake-up
   * comes within the mark delay, they go alone and the wait goes on.
   */
  private async waitForNextRound(session: LeaderSession, waitMs: number): Promise<void> {
    let leftMs = waitMs;
    if (this.unmarked.length > 0) {
      const markDelayMs = Math.min(leftMs, this.markDelayMs);
      if (await this.waitForWake(markDelayMs)) return;
      leftMs -= markDelayMs;
      if (leftMs === 0) return; // the read that is due now carries them
      await this.markUnmarked(session);
    }
    await this.waitForWake(leftMs);
  }

  private async markUnmarked(session: LeaderSession): Promise<void> {
    if (this.unmarked.length === 0) return;
    await markPublished(session.client, this.unmarked);
    this.unmarked = [];
  }

  /**
   * One round: read the oldest waiting rows and publish them. Returns how long to wait before the
   * next round (a NOTIFY ends the wait early): 0 to go on at once while rows may wait behind the
   * batch, the poll interval when caught up, a refused row's backoff, or a pause in an outage.
   */
  private async publishRound(session: LeaderSession): Promise<number> {
    const { rows, more } = await selectWaitingRows(session.client, {
      maxRows: this.batchSize,
      maxBytes: this.batchMaxBytes,
      markPublished: this.unmarked,
    });
    this.unmarked = [];
    const [head] = rows;
    if (!head) {
      this.waitingSince = undefined;
      return this.pollIntervalMs;
    }
    this.waitingSince ??= Date.now();
    let batch: WaitingRow[] = rows;
    if (head.attempts > 0) {
      // Refused before: it goes alone, after its backoff, so that its next refusal is its own.
      const retryInMs = (this.refusedRowRetryAt.get(head.id) ?? 0) - Date.now();
      if (retryInMs > 0) return retryInMs;
      batch = [head];
    }
    const outcome = await this.publishFindingRefusals(session, batch);
    switch (outcome.kind) {
      case 'done':
        this.endOutage();
        if (more || batch !== rows) return 0;
        // Caught up as of the read: a row committed since then sent a NOTIFY that has woken the
        // relay already or will, so the next read waits for it instead of finding nothing now.
        this.waitingSince = undefined;
        return this.pollIntervalMs;
      case 'refused':
        this.endOutage();
        return outcome.retryInMs;
      case 'unavailable':
        return this.pauseInOutage(outcome.error);
    }
  }

  /**
   * Publishes `rows` in order. When the broker refuses them for good, halves them until the row at
   * fault is alone: the rows before it go out, and only it spends an attempt. Stops at a refused
   * row that has attempts left (the rows behind it wait, for its key's order), and goes on past a
   * row it has just quarantined. The broker appends the other partitions of a request it refuses in
   * part, so rows sent again during the search may arrive twice: duplicates, as after a crash.
   */
  private async publishFindingRefusals(session: LeaderSession, rows: WaitingRow[]): Promise<PublishOutcome> {
    try {
      await publishWithTraceSpans(rows, (traced) => this.options.publisher.publish(traced));
    } catch (error) {
      this.lastFailure = describeError(error);
      if (!isRefusal(error)) {
        this.options.observer?.publishFailed?.('unavailable');
        return { kind: 'unavailable', error };
      }
      this.options.observer?.publishFailed?.('refused');
      const [only] = rows;
      if (rows.length === 1 && only) return this.refused(session, only, error);
      const middle = Math.ceil(rows.length / 2);
      const first = await this.publishFindingRefusals(session, rows.slice(0, middle));
      if (first.kind !== 'done') return first;
      return this.publishFindingRefusals(session, rows.slice(middle));
    }
    // The broker has the rows; if the session broke meanwhile, another relay may lead by now and
    // publishes them again: leave them unmarked and step down.
    if (session.lost) throw session.lost;
    const acknowledgedAt = new Date();
    await this.options.afterPublish?.(rows);
    // Marked by the next read, or alone if none comes soon (`waitForNextRound`).
    for (const row of rows) this.unmarked.push({ id: row.id, acknowledgedAt });
    const publishedAt = acknowledgedAt.getTime();
    this.lastPublishedAt = publishedAt;
    this.lastFailure = undefined;
    this.reportStall();
    this.options.observer?.published?.(
      rows,
      rows.map((row) => publishedAt - row.createdAt.getTime()),
    );
    return { kind: 'done' };
  }

  private async refused(session: LeaderSession, row: WaitingRow, error: unknown): Promise<PublishOutcome> {
    const recorded = await recordRefusal(session.client, row.id, describeError(error), this.maxAttempts);
    const about = {
      eventId: row.eventId,
      eventType: row.eventType,
      topic: row.topic,
      key: row.key,
      outboxId: String(row.id),
    };
    if (!recorded) return { kind: 'done' }; // discarded by an operator meanwhile
    if (recorded.quarantined) {
      this.refusedRowRetryAt.delete(row.id);
      this.options.logger.error(
        { err: error, ...about, attempts: recorded.attempts },
        'outbox row refused by the broker on every attempt; quarantined, the rows behind it go on',
      );
      this.options.observer?.quarantined?.(row);
      return { kind: 'done' };
    }
    const retryInMs = Math.min(
      MAX_REFUSED_ROW_RETRY_DELAY_MS,
      this.refusedRowRetryDelayMs * 2 ** (recorded.attempts - 1),
    );
    this.refusedRowRetryAt.set(row.id, Date.now() + retryInMs);
    this.options.logger.warn(
      { err: error, ...about, attempts: recorded.attempts, maxAttempts: this.maxAttempts, retryInMs },
      'outbox row refused by the broker; trying it again alone',
    );
    return { kind: 'refused', retryInMs };
  }

  /** The pause after a failed publish in an outage: doubling, up to a few seconds. Logged once, then now and then. */
  private pauseInOutage(error: unknown): number {
    const now = Date.now();
    this.outage ??= { since: now, failures: 0, loggedAt: 0 };
    this.outage.failures += 1;
    if (now - this.outage.loggedAt >= OUTAGE_LOG_INTERVAL_MS) {
      this.outage.loggedAt = now;
      this.options.logger.error(
        { err: error, failures: this.outage.failures, sinceMs: now - this.outage.since },
        'outbox relay cannot publish (broker unavailable); retrying, no attempt spent',
      );
    }
    return Math.min(MAX_OUTAGE_PAUSE_MS, 250 * 2 ** Math.min(this.outage.failures - 1, 10));
  }

  private endOutage(): void {
    if (!this.outage) return;
    this.options.logger.info(
      { failures: this.outage.failures, outageMs: Date.now() - this.outage.since },
      'outbox relay publishes again',
    );
    this.outage = undefined;
  }

  /**
   * The leader's timer: the stall report, then the backlog query, which is also the heartbeat that
   * keeps the session from PostgreSQL's idle timeout and finds out when the connection went silent
   * (its `query_timeout`), and the retention sweep when due. A tick whose predecessor still waits on
   * the database only reports.
   */
  private housekeep(session: LeaderSession): void {
    this.reportStall();
    if (this.housekeepingInFlight) return;
    this.housekeepingInFlight = true;
    void (async () => {
      try {
        const backlog = await readBacklog(session.client);
        this.options.observer?.backlog?.(backlog);
      } catch (error) {
        this.loseSession(session, error);
        return;
      }
      if (Date.now() - this.lastRetentionSweep < this.retentionSweepIntervalMs) return;
      this.lastRetentionSweep = Date.now();
      try {
        await deleteExpiredRows(session.client, this.retentionMs, () => !this.stopping && !session.lost);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'deleting expired outbox rows failed; trying again later');
      }
    })().finally(() => (this.housekeepingInFlight = false));
  }

  private loseSession(session: LeaderSession, error: unknown): void {
    session.lost ??= error instanceof Error ? error : new Error(String(error));
    this.wake();
  }

  private stalledForMs(): number | undefined {
    if (!this.leading || this.waitingSince === undefined) return undefined;
    const silentMs = Date.now() - Math.max(this.waitingSince, this.lastPublishedAt);
    return silentMs > this.stallWindowMs ? silentMs : undefined;
  }

  private reportStall(): void {
    const stalled = this.stalledForMs() !== undefined;
    if (stalled === this.reportedStalled) return;
    this.reportedStalled = stalled;
    this.options.observer?.stalled?.(stalled);
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    if (leading) {
      this.options.logger.info({}, 'outbox relay is the leader');
    } else {
      this.waitingSince = undefined;
      this.refusedRowRetryAt.clear();
      this.outage = undefined;
    }
    this.reportStall();
    this.options.observer?.leadershipChanged?.(leading);
  }

  /**
   * Ending the session releases the advisory lock. A connection that is already broken, or a
   * server that no longer answers, has nothing left to release: after the connect timeout the
   * relay moves on, with a warning, rather than wait for it.
   */
  private async endSession(client: Client): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'gave up'>((resolve) => {
      timer = setTimeout(() => resolve('gave up'), this.timings.connectTimeoutMs);
    });
    try {
      const ended = await Promise.race([client.end().then(() => 'ended' as const), gaveUp]);
      if (ended === 'gave up')
        this.options.logger.warn({}, 'relay connection did not close in time; left to its keepalive');
    } catch (error) {
      this.options.logger.warn({ err: error }, 'closing relay connection');
    } finally {
      clearTimeout(timer);
    }
  }

  private wake(): void {
    this.wakePending = true;
    this.wakeWaiter?.();
  }

  /**
   * Resolves on the next wake-up (notification, stop, broken connection) or after `timeoutMs`;
   * true for a wake-up.
   */
  private async waitForWake(timeoutMs: number): Promise<boolean> {
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
    const woken = this.wakePending;
    this.wakePending = false;
    return woken;
  }
}
