import { randomUUID } from 'node:crypto';

import type { EventCodec, EventMetadata } from '@ecommerce/contracts';

/** Where use cases record events: the backbone's codec and topic prefix (see `writeEvent`). */
export interface EventOutbox {
  codec: EventCodec;
  topicPrefix: string;
}

/** Metadata of an event a command (an HTTP request) caused: a new flow, no cause. */
export function commandMetadata(correlationId: string = randomUUID()): EventMetadata {
  return { eventId: randomUUID(), occurredAt: Date.now(), correlationId, causationId: null };
}

/** Metadata of an event written in reaction to `cause`: the same flow, caused by it. */
export function reactionMetadata(cause: Pick<EventMetadata, 'eventId' | 'correlationId'>): EventMetadata {
  return {
    eventId: randomUUID(),
    occurredAt: Date.now(),
    correlationId: cause.correlationId,
    causationId: cause.eventId,
  };
}
