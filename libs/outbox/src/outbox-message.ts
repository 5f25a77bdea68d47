/** One event for the outbox, already encoded (Avro, Confluent wire format) by the caller. */
export interface OutboxMessage {
  eventId: string;
  eventType: string;
  topic: string;
  /** Kafka message key: the aggregate id, so one aggregate's events share a partition and stay in order. */
  key: string;
  payload: Buffer;
  /** Kafka headers to publish with the event: event type, W3C trace context, ... */
  headers: Record<string, string>;
}

/** A row the relay reads back: the message plus its position in the outbox. */
export interface PendingOutboxMessage extends OutboxMessage {
  id: bigint;
  createdAt: Date;
}
