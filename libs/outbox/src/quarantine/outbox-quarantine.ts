import type { SqlExecutor } from '@ecommerce/database';

/** An outbox row the broker refused on every attempt, as the admin API shows it. */
export interface QuarantinedRow {
  /** The row's id in the outbox (its place in publication order), as a string: it is a bigint. */
  id: string;
  eventId: string;
  eventType: string;
  topic: string;
  key: string;
  payloadBytes: number;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  quarantinedAt: string;
}

/** Which quarantined rows an operation applies to: the given ids, or every one. */
export type QuarantineSelection = { ids: readonly string[] } | { all: true };

interface Row {
  id: string;
  event_id: string;
  event_type: string;
  topic: string;
  message_key: string;
  payload_bytes: number;
  attempts: number;
  last_error: string | null;
  created_at: Date | string;
  quarantined_at: Date | string;
}

const COLUMNS = `id::text AS id, event_id::text AS event_id, event_type, topic, message_key,
  octet_length(payload)::int AS payload_bytes, attempts, last_error, created_at, quarantined_at`;

// Ids travel as one comma-separated text parameter: the same SQL then runs on node-postgres and
// on Prisma's driver adapter, whatever each makes of array parameters.
const SELECTED = `quarantined_at IS NOT NULL AND ($1::boolean OR id = ANY(string_to_array($2::text, ',')::bigint[]))`;

/** At most this many rows in a listing: a quarantine that large needs a look at the cause, not a longer list. */
export const QUARANTINE_LIST_LIMIT = 1_000;

function view(row: Row): QuarantinedRow {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    topic: row.topic,
    key: row.message_key,
    payloadBytes: row.payload_bytes,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: new Date(row.created_at).toISOString(),
    quarantinedAt: new Date(row.quarantined_at).toISOString(),
  };
}

function parameters(selection: QuarantineSelection): [boolean, string] {
  return 'all' in selection ? [true, ''] : [false, selection.ids.join(',')];
}

/**
 * The quarantined rows of a service's outbox, through its own database client (Prisma in the
 * services): listed, released for the relay to publish again, or discarded.
 */
export function outboxQuarantine(db: SqlExecutor) {
  return {
    /** The quarantined rows in publication order, the first `QUARANTINE_LIST_LIMIT`. */
    async list(): Promise<QuarantinedRow[]> {
      const rows = await db.$queryRawUnsafe<Row[]>(
        `SELECT ${COLUMNS} FROM outbox WHERE quarantined_at IS NOT NULL ORDER BY id LIMIT ${QUARANTINE_LIST_LIMIT}`,
      );
      return rows.map(view);
    },

    /**
     * Gives the selected rows a fresh set of attempts: the relay publishes them next (they are the
     * oldest rows waiting; the update's trigger wakes it). Their `lastError` stays until they succeed
     * or fail again. For after the cause was fixed (the topic created, its max.message.bytes raised).
     */
    async release(selection: QuarantineSelection): Promise<QuarantinedRow[]> {
      // The rows as they were in quarantine (an UPDATE returns only the new values).
      const rows = await db.$queryRawUnsafe<Row[]>(
        `WITH selected AS (SELECT ${COLUMNS} FROM outbox WHERE ${SELECTED} FOR UPDATE),
         released AS (
           UPDATE outbox SET quarantined_at = NULL, attempts = 0
           FROM selected WHERE outbox.id = selected.id::bigint RETURNING outbox.id)
         SELECT selected.* FROM selected JOIN released ON released.id = selected.id::bigint`,
        ...parameters(selection),
      );
      return rows.map(view).sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
    },

    /** Deletes the selected rows: their events are never published. */
    async discard(selection: QuarantineSelection): Promise<QuarantinedRow[]> {
      const rows = await db.$queryRawUnsafe<Row[]>(
        `DELETE FROM outbox WHERE ${SELECTED} RETURNING ${COLUMNS}`,
        ...parameters(selection),
      );
      return rows.map(view).sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
    },
  };
}

export type OutboxQuarantine = ReturnType<typeof outboxQuarantine>;
