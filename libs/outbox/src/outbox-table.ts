import type { Client, QueryResult, QueryResultRow } from 'pg';

import type { PendingOutboxMessage } from './outbox-message';

/**
 * The relay's statements on the `outbox` table (its SQL: libs/outbox/migrations): which rows wait,
 * marking them published, counting a refusal, the backlog, and the retention sweep. Quarantined
 * rows (`quarantined_at` set) are unpublished rows the relay leaves alone until an operator retries
 * or discards them (`outbox-quarantine.ts`).
 */

/**
 * The statements the relay runs every round on its one session, prepared under these names the
 * first time: PostgreSQL then parses them once per session, not once per round. With the session's
 * `plan_cache_mode` (`leaderClientConfig`) it plans them once too, instead of trying plans for the
 * values first (a handful of ids, a row cap). Unnamed, both were parsed and planned every round:
 * 9 % of PostgreSQL's CPU under the saga bench (BENCHMARKS.md, "The relay plans its statements once").
 * The read carries the marks of the rows published since the one before it; `markPublished` runs
 * alone only when no read follows soon (see `OutboxRelay`).
 */
export const RELAY_STATEMENTS = {
  selectWaitingRows: 'outbox_relay_select_waiting_rows',
  markPublished: 'outbox_relay_mark_published',
} as const;

/** A row the broker has acknowledged, and when, by the relay's clock: what a mark writes. */
export interface AcknowledgedRow {
  id: bigint;
  acknowledgedAt: Date;
}

/** An unpublished row as the relay reads it. */
export interface WaitingRow extends PendingOutboxMessage {
  /** Times the broker refused this row for good; 0 for a row never refused. */
  attempts: number;
}

interface OutboxRow {
  id: string;
  candidates: string;
  event_id: string;
  event_type: string;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
  created_at: Date;
  attempts: number;
}

/** What one read of the outbox found. */
export interface WaitingRows {
  /** The oldest waiting rows, in id order. */
  rows: WaitingRow[];
  /** Whether more rows may wait behind them: the read stopped at its row or byte cap. */
  more: boolean;
}

// `published_at` is when the broker acknowledged the row, by the relay's clock, not when the mark
// reached the database: a mark may ride on a later read (`selectWaitingRows`). `id = ANY` gives the
// plan its way in by primary key: joined to the list alone, a generic plan made while the table was
// new (no statistics yet) scanned the whole table on every mark.
function markSql(ids: string, acknowledgedAt: string): string {
  return `UPDATE outbox SET published_at = acknowledged.at
       FROM unnest(${ids}::bigint[], ${acknowledgedAt}::timestamptz[]) AS acknowledged (id, at)
       WHERE outbox.id = ANY(${ids}::bigint[]) AND outbox.id = acknowledged.id`;
}

function markValues(rows: readonly AcknowledgedRow[]): [string[], string[]] {
  return [rows.map((row) => String(row.id)), rows.map((row) => row.acknowledgedAt.toISOString())];
}

/**
 * The oldest waiting rows, in id order: at most `maxRows`, and no more than `maxBytes` of payload,
 * key and headers together, except that the first row always comes (a row larger than the cap is
 * sent alone and the broker decides). Sizes are summed in the database so that rows which do not
 * fit are never read.
 *
 * `markPublished`: rows the broker has acknowledged since the last read, marked published by this
 * same statement, one round trip instead of two (see `OutboxRelay`). The read's snapshot predates
 * its own update, so it leaves those rows out by id.
 */
export async function selectWaitingRows(
  client: Client,
  {
    maxRows,
    maxBytes,
    markPublished = [],
  }: { maxRows: number; maxBytes: number; markPublished?: readonly AcknowledgedRow[] },
): Promise<WaitingRows> {
  const { rows } = await client.query<OutboxRow>({
    name: RELAY_STATEMENTS.selectWaitingRows,
    text: `WITH marked AS (
       ${markSql('$3', '$4')}
     ), candidates AS (
       SELECT id, octet_length(payload) + octet_length(message_key) + octet_length(headers::text) AS bytes
       FROM outbox WHERE published_at IS NULL AND quarantined_at IS NULL AND id <> ALL($3::bigint[])
       ORDER BY id LIMIT $1
     ), sized AS (
       SELECT id, sum(bytes) OVER (ORDER BY id) AS running_bytes, row_number() OVER (ORDER BY id) AS position,
              count(*) OVER () AS candidates
       FROM candidates
     )
     SELECT sized.candidates, o.id, o.event_id, o.event_type, o.topic, o.message_key, o.payload, o.headers, o.created_at, o.attempts
     FROM sized JOIN outbox o USING (id)
     WHERE sized.running_bytes <= $2 OR sized.position = 1
     ORDER BY o.id`,
    values: [maxRows, maxBytes, ...markValues(markPublished)],
  });
  const [first] = rows;
  const candidates = first ? Number(first.candidates) : 0;
  return {
    rows: rows.map(toWaitingRow),
    more: candidates === maxRows || candidates > rows.length,
  };
}

function toWaitingRow(row: OutboxRow): WaitingRow {
  return {
    id: BigInt(row.id),
    eventId: row.event_id,
    eventType: row.event_type,
    topic: row.topic,
    key: row.message_key,
    payload: row.payload,
    headers: row.headers,
    createdAt: row.created_at,
    attempts: row.attempts,
  };
}

/** Marks rows published in a statement of their own, when no read is due to carry the marks. */
export async function markPublished(client: Client, rows: readonly AcknowledgedRow[]): Promise<void> {
  await client.query({
    name: RELAY_STATEMENTS.markPublished,
    text: markSql('$1', '$2'),
    values: markValues(rows),
  });
}

// The error is for a person reading the quarantine list; a stack or a huge message is not.
const MAX_ERROR_CHARS = 2_000;

/**
 * Counts one refusal of a row by the broker and keeps its error; at `maxAttempts` the row is
 * quarantined in the same statement. Returns the row's attempts so far and whether it is now
 * quarantined (undefined if the row is gone or already published).
 */
export async function recordRefusal(
  client: Client,
  id: bigint,
  error: string,
  maxAttempts: number,
): Promise<{ attempts: number; quarantined: boolean } | undefined> {
  const { rows } = await client.query<{ attempts: number; quarantined: boolean }>(
    `UPDATE outbox
     SET attempts = attempts + 1, last_error = left($2, ${MAX_ERROR_CHARS}),
         quarantined_at = CASE WHEN attempts + 1 >= $3 THEN now() END
     WHERE id = $1 AND published_at IS NULL
     RETURNING attempts, quarantined_at IS NOT NULL AS quarantined`,
    [String(id), error, maxAttempts],
  );
  return rows[0];
}

export interface OutboxBacklog {
  /** Rows waiting to be published (quarantined ones not included). */
  waiting: number;
  /** Age of the oldest of them; 0 when none waits. */
  oldestAgeSeconds: number;
  /** Rows set aside after their last attempt. */
  quarantined: number;
}

/**
 * Where the backlog is read: the relay's leader connection, or a pool (the outbox status samples:
 * a pool's own query keeps an error listener on the connection it uses, so a database restart
 * mid-sample fails the sample, not the process).
 */
export interface BacklogSource {
  query<Row extends QueryResultRow>(text: string): Promise<QueryResult<Row>>;
}

/** The backlog of this database's outbox (the relay's metrics and the outbox status samples). */
export async function readBacklog(db: BacklogSource): Promise<OutboxBacklog> {
  const { rows } = await db.query<{ waiting: number; quarantined: number; oldest_age: number }>(
    `SELECT count(*) FILTER (WHERE quarantined_at IS NULL)::int AS waiting,
            count(*) FILTER (WHERE quarantined_at IS NOT NULL)::int AS quarantined,
            coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE quarantined_at IS NULL)), 0)::float8
              AS oldest_age
     FROM outbox WHERE published_at IS NULL`,
  );
  const [row] = rows;
  return {
    waiting: row?.waiting ?? 0,
    oldestAgeSeconds: row?.oldest_age ?? 0,
    quarantined: row?.quarantined ?? 0,
  };
}

// Each DELETE is a statement of its own, short enough for the session's statement timeout however
// many rows have expired.
const SWEEP_CHUNK_ROWS = 5_000;

/** Deletes rows published more than `retentionMs` ago, chunk by chunk; returns how many. */
export async function deleteExpiredRows(
  client: Client,
  retentionMs: number,
  shouldGoOn: () => boolean,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { rowCount } = await client.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox
         WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => $1)
         LIMIT $2)`,
      [retentionMs / 1_000, SWEEP_CHUNK_ROWS],
    );
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < SWEEP_CHUNK_ROWS || !shouldGoOn()) return deleted;
  }
}
