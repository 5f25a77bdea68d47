import { keyOf, topicFor, topicName, type EventType, type TypedEvent } from '@ecommerce/contracts';
import type { SqlExecutor } from '@ecommerce/database';
import { writeOutboxMessage } from '@ecommerce/outbox';

import type { EventOutbox } from './event-metadata';

/**
 * Records an event in the outbox inside the caller's transaction: validated and encoded against
 * its schema first (a payload that breaks the contract fails the transaction, it never reaches the
 * outbox), routed to its topic, keyed by its aggregate.
 */
export async function writeEvent<T extends EventType>(
  tx: SqlExecutor,
  backbone: EventOutbox,
  event: TypedEvent<T>,
): Promise<void> {
  const payload = await backbone.codec.encode(event.type, event.payload);
  await writeOutboxMessage(tx, {
    eventId: event.payload.eventId,
    eventType: event.type,
    topic: topicName(topicFor(event.type), backbone.topicPrefix),
    // A generic TypedEvent<T> is one member of the union keyOf takes; TypeScript cannot see that.
    key: keyOf(event as TypedEvent),
    payload,
    headers: {},
  });
}
