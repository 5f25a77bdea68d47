// Generated from libs/contracts/schemas by `npx tsx libs/contracts/src/codegen/cli.ts`. Do not edit: change the
// schemas (add a version) and regenerate; a test fails while this file and the schemas disagree.

/** Every event type: the record names of the schemas in libs/contracts/schemas. */
export const eventTypes = [
  'NotificationSent',
  'OrderCancelled',
  'OrderConfirmed',
  'OrderPlaced',
  'OutboxStatusReported',
  'PaymentAuthorized',
  'PaymentFailed',
  'PaymentRefunded',
  'ProductUpserted',
  'StockAdjusted',
  'StockCommitted',
  'StockRejected',
  'StockReleased',
  'StockReserved',
] as const;

export type EventType = (typeof eventTypes)[number];

/** The fields every event starts with. */
export interface EventMetadata {
  /** Unique id of this event; consumers deduplicate on it. */
  readonly eventId: string;
  /** When the fact happened, in epoch milliseconds (UTC). */
  readonly occurredAt: number;
  /** Shared by every event of one business flow, e.g. all events of one order. */
  readonly correlationId: string;
  /** eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it. */
  readonly causationId: string | null;
}

/** Why an order was cancelled. */
export type CancelReason = 'OUT_OF_STOCK' | 'PAYMENT_DECLINED' | 'CUSTOMER_REQUEST' | 'TIMEOUT';

/** One line of an order, priced when the order was placed. */
export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  /** Price of one unit in minor units (cents). */
  readonly unitPriceCents: number;
}

/** A quantity of one SKU. */
export interface StockLine {
  readonly sku: string;
  readonly quantity: number;
}

/** A requested quantity of one SKU that exceeds what is available. */
export interface StockShortage {
  readonly sku: string;
  readonly requested: number;
  /** Units on hand and not reserved when the order was checked. */
  readonly available: number;
}

/** A notification about an order was sent to its customer. */
export interface NotificationSent extends EventMetadata {
  /** The order notified about; the Kafka message key. */
  readonly orderId: string;
  readonly notificationId: string;
  readonly customerId: string;
  /** Which message was sent, e.g. order-confirmed. */
  readonly template: string;
  /** How it was sent, e.g. email. */
  readonly channel: string;
  /** Delivery status, e.g. SENT. */
  readonly status: string;
}

/** The order will not be fulfilled; every reservation and payment for it is undone. */
export interface OrderCancelled extends EventMetadata {
  /** The order cancelled; the Kafka message key. */
  readonly orderId: string;
  readonly customerId: string;
  readonly reason: CancelReason;
}

/** Stock is reserved and payment authorized: the order is confirmed. */
export interface OrderConfirmed extends EventMetadata {
  /** The order confirmed; the Kafka message key. */
  readonly orderId: string;
  readonly customerId: string;
  /** Amount charged, in minor units (cents). */
  readonly totalCents: number;
  /** ISO 4217 code, e.g. USD. */
  readonly currency: string;
}

/** A customer placed an order; it starts the order saga. v2 adds the payment token. */
export interface OrderPlaced extends EventMetadata {
  /** The order placed; the Kafka message key. */
  readonly orderId: string;
  readonly customerId: string;
  readonly items: readonly OrderLine[];
  /** Sum of quantity * unitPriceCents over the items, in minor units (cents). */
  readonly totalCents: number;
  /** ISO 4217 code, e.g. USD. */
  readonly currency: string;
  /** Token the payment service charges; null means the default token tok_ok (and is what v1 writers imply). */
  readonly paymentToken: string | null;
}

/** A sample of one service's transactional outbox, published by the service every few seconds so that operators' read models (the order console) see the backlog from events instead of calling the service. A sample, not a fact of the business: it is sent straight to Kafka, not through the outbox it measures, and a lost one is replaced by the next. */
export interface OutboxStatusReported extends EventMetadata {
  /** The service whose outbox this is; the Kafka message key. */
  readonly service: string;
  /** The instance that took the sample (host and process id). */
  readonly instanceId: string;
  /** Outbox rows committed and not yet published (quarantined rows not included). */
  readonly pendingEvents: number;
  /** Age of the oldest of those rows when the sample was taken (occurredAt); 0 when there is none. */
  readonly oldestPendingAgeMs: number;
  /** Outbox rows the relay gave up on and set aside; null when this service's outbox has no quarantine. */
  readonly quarantinedEvents: number | null;
  /** How often the service samples: a report older than a few intervals means the service stopped reporting. */
  readonly reportIntervalMs: number;
}

/** The payment for an order is authorized. */
export interface PaymentAuthorized extends EventMetadata {
  /** The order paid for; the Kafka message key. */
  readonly orderId: string;
  readonly paymentId: string;
  /** Authorized amount in minor units (cents). */
  readonly amountCents: number;
  /** ISO 4217 code, e.g. USD. */
  readonly currency: string;
}

/** The payment for an order was refused. */
export interface PaymentFailed extends EventMetadata {
  /** The order whose payment failed; the Kafka message key. */
  readonly orderId: string;
  readonly paymentId: string;
  /** Requested amount in minor units (cents). */
  readonly amountCents: number;
  /** ISO 4217 code, e.g. USD. */
  readonly currency: string;
  /** CARD_DECLINED or AMOUNT_LIMIT. A string, not an enum, so a new reason does not break readers that do not know it. */
  readonly reason: string;
}

/** An authorized payment was refunded because its order was cancelled. */
export interface PaymentRefunded extends EventMetadata {
  /** The order refunded; the Kafka message key. */
  readonly orderId: string;
  readonly paymentId: string;
  /** Refunded amount in minor units (cents). */
  readonly amountCents: number;
  /** ISO 4217 code, e.g. USD. */
  readonly currency: string;
}

/** A product was created or its name or price changed. v2 adds the product's version. */
export interface ProductUpserted extends EventMetadata {
  /** The product; the Kafka message key. */
  readonly sku: string;
  readonly name: string;
  /** Unit price in minor units (cents). */
  readonly priceCents: number;
  /** ISO 4217 code, e.g. USD. */
  readonly currency: string;
  /** The product's version, counted up by the inventory service under the product's row lock with every change it announces: a later announcement of a sku has a higher version, whatever the clocks say. null: written by a v1 producer, which did not version products. */
  readonly version: number | null;
}

/** A SKU's stock levels changed. */
export interface StockAdjusted extends EventMetadata {
  /** The product; the Kafka message key. */
  readonly sku: string;
  /** Change of onHand; negative when units left stock. */
  readonly delta: number;
  /** Units in stock after the change. */
  readonly onHand: number;
  /** Units of onHand reserved for orders after the change. */
  readonly reserved: number;
  /** Why the stock changed, e.g. a restock note; null when not given. */
  readonly reason: string | null;
}

/** The order's reservation is committed: the units leave stock. */
export interface StockCommitted extends EventMetadata {
  /** The order whose reservation is committed; the Kafka message key. */
  readonly orderId: string;
  readonly items: readonly StockLine[];
}

/** The order cannot be reserved; nothing was reserved for it. */
export interface StockRejected extends EventMetadata {
  /** The order that could not be reserved; the Kafka message key. */
  readonly orderId: string;
  /** The lines that could not be covered. */
  readonly unavailable: readonly StockShortage[];
}

/** The order's reservation is released back to available stock. */
export interface StockReleased extends EventMetadata {
  /** The order whose reservation is released; the Kafka message key. */
  readonly orderId: string;
  readonly items: readonly StockLine[];
}

/** Every line of the order is reserved in inventory. */
export interface StockReserved extends EventMetadata {
  /** The order the stock is reserved for; the Kafka message key. */
  readonly orderId: string;
  readonly items: readonly StockLine[];
}

/** The payload type of each event type. */
export interface EventPayloads {
  NotificationSent: NotificationSent;
  OrderCancelled: OrderCancelled;
  OrderConfirmed: OrderConfirmed;
  OrderPlaced: OrderPlaced;
  OutboxStatusReported: OutboxStatusReported;
  PaymentAuthorized: PaymentAuthorized;
  PaymentFailed: PaymentFailed;
  PaymentRefunded: PaymentRefunded;
  ProductUpserted: ProductUpserted;
  StockAdjusted: StockAdjusted;
  StockCommitted: StockCommitted;
  StockRejected: StockRejected;
  StockReleased: StockReleased;
  StockReserved: StockReserved;
}
