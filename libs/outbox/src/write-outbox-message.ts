import { executePipelined, type SqlExecutor } from '@ecommerce/database';
import { captureTraceContext } from '@ecommerce/telemetry';

import type { OutboxMessage } from './outbox-message';

/** Kafka headers every published event carries, so tools can tell events apart without decoding. */
export const EVENT_HEADERS = { eventType: 'event-type', eventId: 'event-id' } as const;

/**
 * Adds an event to the outbox inside the caller's transaction, so the state change and the event
 * commit together or not at all. The active trace context is stored with it, so the event joins the
 * trace of the request (or event) that caused it. The insert trigger (libs/outbox/migrations)
 * wakes the relay when the transaction commits. Pipelined where the transaction can: nothing
 * reads the insert's result, so the statements after it (most often the COMMIT) do not wait for it.
 */
export async function writeOutboxMessage(tx: SqlExecutor, message: OutboxMessage): Promise<void> {
  await executePipelined(
    tx,
    `INSERT INTO outbox (event_id, event_type, topic, message_key, payload, headers)
     VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb)`,
    message.eventId,
    message.eventType,
    message.topic,
    message.key,
    message.payload,
    JSON.stringify({
      ...message.headers,
      ...captureTraceContext(),
      [EVENT_HEADERS.eventType]: message.eventType,
      [EVENT_HEADERS.eventId]: message.eventId,
    }),
  );
}
