import type { SqlExecutor } from '@ecommerce/database';

/**
 * Records that `consumerGroup` applies event `eventId`, inside the transaction that applies it.
 * Returns false when the row already exists: the event was applied before (a redelivery), so the
 * caller must not commit what it applied (`EventConsumer` rolls it back). Two deliveries racing each
 * other serialise on the primary key.
 */
export async function claimInboxEntry(
  tx: SqlExecutor,
  entry: { consumerGroup: string; eventId: string; eventType: string },
): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    `INSERT INTO inbox (consumer_group, event_id, event_type) VALUES ($1, $2::uuid, $3)
     ON CONFLICT (consumer_group, event_id) DO NOTHING`,
    entry.consumerGroup,
    entry.eventId,
    entry.eventType,
  );
  return inserted === 1;
}

/**
 * Records that `consumerGroup` applies each of `events`, in one statement inside the transaction
 * that applies them (a batch, see `EventConsumerOptions.transactionPerBatch`). Returns the
 * positions in `events` (from 0) of those not applied before: an event whose row exists already is
 * a redelivery, and an event listed twice is claimed at its first position only. Rows are inserted
 * in event-id order, so two deliveries of overlapping batches wait on each other, never deadlock.
 */
export async function claimInboxEntries(
  tx: SqlExecutor,
  consumerGroup: string,
  events: readonly { eventId: string; eventType: string }[],
): Promise<Set<number>> {
  const rows = await tx.$queryRawUnsafe<{ position: number }[]>(
    `WITH events AS (
       SELECT claimed.event_id::uuid AS event_id, claimed.event_type, claimed.position
       FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS claimed(event_id, event_type, position)
     ), inserted AS (
       INSERT INTO inbox (consumer_group, event_id, event_type)
       SELECT DISTINCT ON (event_id) $1, event_id, event_type FROM events ORDER BY event_id, position
       ON CONFLICT (consumer_group, event_id) DO NOTHING
       RETURNING event_id
     )
     SELECT min(events.position)::int - 1 AS position FROM events JOIN inserted USING (event_id)
     GROUP BY events.event_id`,
    consumerGroup,
    events.map((event) => event.eventId),
    events.map((event) => event.eventType),
  );
  return new Set(rows.map((row) => row.position));
}

/**
 * True when `consumerGroup` has applied event `eventId`: checked in the transaction that claims an
 * external effect, before the effect is performed (and before the transaction that writes the inbox
 * row), so a redelivery performs nothing.
 */
export async function hasInboxEntry(
  db: SqlExecutor,
  entry: { consumerGroup: string; eventId: string },
): Promise<boolean> {
  const rows = await db.$queryRawUnsafe<unknown[]>(
    'SELECT 1 FROM inbox WHERE consumer_group = $1 AND event_id = $2::uuid',
    entry.consumerGroup,
    entry.eventId,
  );
  return rows.length > 0;
}

/**
 * Forgets every event `consumerGroup` applied, inside the caller's transaction: for a rebuild that
 * empties what the group built and replays its topics from the start, so each event applies again.
 * Returns how many rows were deleted.
 */
export async function forgetInboxEntriesOf(tx: SqlExecutor, consumerGroup: string): Promise<number> {
  return tx.$executeRawUnsafe('DELETE FROM inbox WHERE consumer_group = $1', consumerGroup);
}
