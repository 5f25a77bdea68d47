import { EVENT_NAMESPACE } from './event-namespace';
import type { EventPayloads, EventType } from './generated/event-types';

/** The topics, by the key the code uses; {@link topicName} gives the Kafka topic name. */
export const topicKeys = [
  'orders',
  'inventory',
  'payments',
  'catalog',
  'notifications',
  'operations',
] as const;
export type TopicKey = (typeof topicKeys)[number];

export const DEFAULT_TOPIC_PREFIX = 'ecommerce.';

/**
 * The topic each event type is published to. Events of one aggregate share a topic and are keyed
 * by its id, so Kafka keeps them in order per order (or per SKU).
 */
const topicByEventType = {
  OrderPlaced: 'orders',
  OrderConfirmed: 'orders',
  OrderCancelled: 'orders',
  StockReserved: 'inventory',
  StockRejected: 'inventory',
  StockReleased: 'inventory',
  StockCommitted: 'inventory',
  PaymentAuthorized: 'payments',
  PaymentFailed: 'payments',
  PaymentRefunded: 'payments',
  ProductUpserted: 'catalog',
  StockAdjusted: 'catalog',
  NotificationSent: 'notifications',
  // Samples of the services' own state (outbox backlog), for operators' read models: keyed by service.
  OutboxStatusReported: 'operations',
} as const satisfies Record<EventType, TopicKey>;

/** An event with its type: what the codec decodes, and what {@link keyOf} takes. */
export type TypedEvent<T extends EventType = EventType> = {
  [Type in T]: { type: Type; payload: EventPayloads[Type] };
}[T];

type PayloadOnTopic<Topic extends TopicKey> = {
  [Type in EventType]: (typeof topicByEventType)[Type] extends Topic ? EventPayloads[Type] : never;
}[EventType];

/** The payload field each topic is keyed by (the aggregate's id), by name: for documents such as AsyncAPI. */
export const topicKeyFields = {
  orders: 'orderId',
  inventory: 'orderId',
  payments: 'orderId',
  notifications: 'orderId',
  catalog: 'sku',
  operations: 'service',
} as const satisfies Record<TopicKey, string>;

/** The aggregate key of each topic; typed so that every event on a topic must carry it. */
const aggregateKeyOf: { [Topic in TopicKey]: (payload: PayloadOnTopic<Topic>) => string } = {
  orders: (payload) => payload.orderId,
  inventory: (payload) => payload.orderId,
  payments: (payload) => payload.orderId,
  notifications: (payload) => payload.orderId,
  catalog: (payload) => payload.sku,
  operations: (payload) => payload.service,
};

export function topicFor(eventType: EventType): TopicKey {
  return topicByEventType[eventType];
}

export function topicName(topic: TopicKey, prefix = DEFAULT_TOPIC_PREFIX): string {
  return `${prefix}${topic}`;
}

export function allTopics(prefix = DEFAULT_TOPIC_PREFIX): string[] {
  return topicKeys.map((topic) => topicName(topic, prefix));
}

/**
 * The schema registry subject of an event type: topic name plus record name (Confluent's
 * TopicRecordNameStrategy), so one topic carries several event types, each evolving on its own.
 */
export function subjectFor(eventType: EventType, prefix = DEFAULT_TOPIC_PREFIX): string {
  return `${topicName(topicFor(eventType), prefix)}-${EVENT_NAMESPACE}.${eventType}`;
}

/** The Kafka message key of an event: its aggregate's id (orderId, or sku on the catalog topic). */
export function keyOf(event: TypedEvent): string {
  // The map is checked per topic above; a union of events loses which payload goes with which
  // topic, so the extractor is widened here.
  const extract = aggregateKeyOf[topicFor(event.type)] as (payload: TypedEvent['payload']) => string;
  return extract(event.payload);
}
