import type { SqlExecutor } from '@ecommerce/database';

/**
 * Records that `consumerGroup` applies event `eventId`, inside the transaction that applies it.
 * Returns false when the row already exists: the event was applied before (a redelivery), so the
 * caller must not apply it again. Two deliveries racing each other serialise on the primary key.
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
