// Generated from libs/contracts/schemas by `npx tsx libs/contracts/src/codegen/cli.ts`. Do not edit: change the
// schemas (add a version) and regenerate; a test fails while this file and the schemas disagree.

import type { AvroRecordJson } from '../avro-schema-json';
import type { EventType } from './event-types';

/** Every version of every event schema, by event type and version number. */
export const eventSchemaVersions: Readonly<Record<EventType, Readonly<Record<number, AvroRecordJson>>>> = {
  NotificationSent: {
    1: {
      type: 'record',
      name: 'NotificationSent',
      namespace: 'com.ecommerce.events',
      doc: 'A notification about an order was sent to its customer.',
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'orderId', type: 'string', doc: 'The order notified about; the Kafka message key.' },
        { name: 'notificationId', type: 'string' },
        { name: 'customerId', type: 'string' },
        { name: 'template', type: 'string', doc: 'Which message was sent, e.g. order-confirmed.' },
        { name: 'channel', type: 'string', doc: 'How it was sent, e.g. email.' },
        { name: 'status', type: 'string', doc: 'Delivery status, e.g. SENT.' },
      ],
    },
  },
  OrderCancelled: {
    1: {
      type: 'record',
      name: 'OrderCancelled',
      namespace: 'com.ecommerce.events',
      doc: 'The order will not be fulfilled; every reservation and payment for it is undone.',
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'orderId', type: 'string', doc: 'The order cancelled; the Kafka message key.' },
        { name: 'customerId', type: 'string' },
        {
          name: 'reason',
          type: {
            type: 'enum',
            name: 'CancelReason',
            doc: 'Why an order was cancelled.',
            symbols: ['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'CUSTOMER_REQUEST', 'TIMEOUT'],
          },
        },
      ],
    },
  },
  OrderConfirmed: {
    1: {
      type: 'record',
      name: 'OrderConfirmed',
      namespace: 'com.ecommerce.events',
      doc: 'Stock is reserved and payment authorized: the order is confirmed.',
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'orderId', type: 'string', doc: 'The order confirmed; the Kafka message key.' },
        { name: 'customerId', type: 'string' },
        { name: 'totalCents', type: 'long', doc: 'Amount charged, in minor units (cents).' },
        { name: 'currency', type: 'string', doc: 'ISO 4217 code, e.g. USD.' },
      ],
    },
  },
  OrderPlaced: {
    1: {
      type: 'record',
      name: 'OrderPlaced',
      namespace: 'com.ecommerce.events',
      doc: 'A customer placed an order; it starts the order saga.',
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'orderId', type: 'string', doc: 'The order placed; the Kafka message key.' },
        { name: 'customerId', type: 'string' },
        {
          name: 'items',
          type: {
            type: 'array',
            items: {
              type: 'record',
              name: 'OrderLine',
              doc: 'One line of an order, priced when the order was placed.',
              fields: [
                { name: 'sku', type: 'string' },
                { name: 'quantity', type: 'int' },
                { name: 'unitPriceCents', type: 'long', doc: 'Price of one unit in minor units (cents).' },
              ],
            },
          },
        },
        {
          name: 'totalCents',
          type: 'long',
          doc: 'Sum of quantity * unitPriceCents over the items, in minor units (cents).',
        },
        { name: 'currency', type: 'string', doc: 'ISO 4217 code, e.g. USD.' },
      ],
    },
    2: {
      type: 'record',
      name: 'OrderPlaced',
      namespace: 'com.ecommerce.events',
      doc: 'A customer placed an order; it starts the order saga. v2 adds the payment token.',
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'orderId', type: 'string', doc: 'The order placed; the Kafka message key.' },
        { name: 'customerId', type: 'string' },
        {
          name: 'items',
          type: {
            type: 'array',
            items: {
              type: 'record',
              name: 'OrderLine',
              doc: 'One line of an order, priced when the order was placed.',
              fields: [
                { name: 'sku', type: 'string' },
                { name: 'quantity', type: 'int' },
                { name: 'unitPriceCents', type: 'long', doc: 'Price of one unit in minor units (cents).' },
              ],
            },
          },
        },
        {
          name: 'totalCents',
          type: 'long',
          doc: 'Sum of quantity * unitPriceCents over the items, in minor units (cents).',
        },
        { name: 'currency', type: 'string', doc: 'ISO 4217 code, e.g. USD.' },
        {
          name: 'paymentToken',
          type: ['null', 'string'],
          default: null,
          doc: 'Token the payment service charges; null means the default token tok_ok (and is what v1 writers imply).',
        },
      ],
    },
  },
  OutboxStatusReported: {
    1: {
      type: 'record',
      name: 'OutboxStatusReported',
      namespace: 'com.ecommerce.events',
      doc: "A sample of one service's transactional outbox, published by the service every few seconds so that operators' read models (the order console) see the backlog from events instead of calling the service. A sample, not a fact of the business: it is sent straight to Kafka, not through the outbox it measures, and a lost one is replaced by the next.",
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'service', type: 'string', doc: 'The service whose outbox this is; the Kafka message key.' },
        {
          name: 'instanceId',
          type: 'string',
          doc: 'The instance that took the sample (host and process id).',
        },
        {
          name: 'pendingEvents',
          type: 'int',
          doc: 'Outbox rows committed and not yet published (quarantined rows not included).',
        },
        {
          name: 'oldestPendingAgeMs',
          type: 'long',
          doc: 'Age of the oldest of those rows when the sample was taken (occurredAt); 0 when there is none.',
        },
        {
          name: 'quarantinedEvents',
          type: ['null', 'int'],
          default: null,
          doc: "Outbox rows the relay gave up on and set aside; null when this service's outbox has no quarantine.",
        },
        {
          name: 'reportIntervalMs',
          type: 'int',
          doc: 'How often the service samples: a report older than a few intervals means the service stopped reporting.',
        },
      ],
    },
  },
  PaymentAuthorized: {
    1: {
      type: 'record',
      name: 'PaymentAuthorized',
      namespace: 'com.ecommerce.events',
      doc: 'The payment for an order is authorized.',
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'orderId', type: 'string', doc: 'The order paid for; the Kafka message key.' },
        { name: 'paymentId', type: 'string' },
        { name: 'amountCents', type: 'long', doc: 'Authorized amount in minor units (cents).' },
        { name: 'currency', type: 'string', doc: 'ISO 4217 code, e.g. USD.' },
      ],
    },
  },
  PaymentFailed: {
    1: {
      type: 'record',
      name: 'PaymentFailed',
      namespace: 'com.ecommerce.events',
      doc: 'The payment for an order was refused.',
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'orderId', type: 'string', doc: 'The order whose payment failed; the Kafka message key.' },
        { name: 'paymentId', type: 'string' },
        { name: 'amountCents', type: 'long', doc: 'Requested amount in minor units (cents).' },
        { name: 'currency', type: 'string', doc: 'ISO 4217 code, e.g. USD.' },
        {
          name: 'reason',
          type: 'string',
          doc: 'CARD_DECLINED or AMOUNT_LIMIT. A string, not an enum, so a new reason does not break readers that do not know it.',
        },
      ],
    },
  },
  PaymentRefunded: {
    1: {
      type: 'record',
      name: 'PaymentRefunded',
      namespace: 'com.ecommerce.events',
      doc: 'An authorized payment was refunded because its order was cancelled.',
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'orderId', type: 'string', doc: 'The order refunded; the Kafka message key.' },
        { name: 'paymentId', type: 'string' },
        { name: 'amountCents', type: 'long', doc: 'Refunded amount in minor units (cents).' },
        { name: 'currency', type: 'string', doc: 'ISO 4217 code, e.g. USD.' },
      ],
    },
  },
  ProductUpserted: {
    1: {
      type: 'record',
      name: 'ProductUpserted',
      namespace: 'com.ecommerce.events',
      doc: 'A product was created or its name or price changed.',
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'sku', type: 'string', doc: 'The product; the Kafka message key.' },
        { name: 'name', type: 'string' },
        { name: 'priceCents', type: 'long', doc: 'Unit price in minor units (cents).' },
        { name: 'currency', type: 'string', doc: 'ISO 4217 code, e.g. USD.' },
      ],
    },
    2: {
      type: 'record',
      name: 'ProductUpserted',
      namespace: 'com.ecommerce.events',
      doc: "A product was created or its name or price changed. v2 adds the product's version.",
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'sku', type: 'string', doc: 'The product; the Kafka message key.' },
        { name: 'name', type: 'string' },
        { name: 'priceCents', type: 'long', doc: 'Unit price in minor units (cents).' },
        { name: 'currency', type: 'string', doc: 'ISO 4217 code, e.g. USD.' },
        {
          name: 'version',
          type: ['null', 'long'],
          default: null,
          doc: "The product's version, counted up by the inventory service under the product's row lock with every change it announces: a later announcement of a sku has a higher version, whatever the clocks say. null: written by a v1 producer, which did not version products.",
        },
      ],
    },
  },
  StockAdjusted: {
    1: {
      type: 'record',
      name: 'StockAdjusted',
      namespace: 'com.ecommerce.events',
      doc: "A SKU's stock levels changed.",
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        { name: 'sku', type: 'string', doc: 'The product; the Kafka message key.' },
        { name: 'delta', type: 'int', doc: 'Change of onHand; negative when units left stock.' },
        { name: 'onHand', type: 'int', doc: 'Units in stock after the change.' },
        { name: 'reserved', type: 'int', doc: 'Units of onHand reserved for orders after the change.' },
        {
          name: 'reason',
          type: ['null', 'string'],
          default: null,
          doc: 'Why the stock changed, e.g. a restock note; null when not given.',
        },
      ],
    },
  },
  StockCommitted: {
    1: {
      type: 'record',
      name: 'StockCommitted',
      namespace: 'com.ecommerce.events',
      doc: "The order's reservation is committed: the units leave stock.",
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        {
          name: 'orderId',
          type: 'string',
          doc: 'The order whose reservation is committed; the Kafka message key.',
        },
        {
          name: 'items',
          type: {
            type: 'array',
            items: {
              type: 'record',
              name: 'StockLine',
              doc: 'A quantity of one SKU.',
              fields: [
                { name: 'sku', type: 'string' },
                { name: 'quantity', type: 'int' },
              ],
            },
          },
        },
      ],
    },
  },
  StockRejected: {
    1: {
      type: 'record',
      name: 'StockRejected',
      namespace: 'com.ecommerce.events',
      doc: 'The order cannot be reserved; nothing was reserved for it.',
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        {
          name: 'orderId',
          type: 'string',
          doc: 'The order that could not be reserved; the Kafka message key.',
        },
        {
          name: 'unavailable',
          type: {
            type: 'array',
            items: {
              type: 'record',
              name: 'StockShortage',
              doc: 'A requested quantity of one SKU that exceeds what is available.',
              fields: [
                { name: 'sku', type: 'string' },
                { name: 'requested', type: 'int' },
                {
                  name: 'available',
                  type: 'int',
                  doc: 'Units on hand and not reserved when the order was checked.',
                },
              ],
            },
          },
          doc: 'The lines that could not be covered.',
        },
      ],
    },
  },
  StockReleased: {
    1: {
      type: 'record',
      name: 'StockReleased',
      namespace: 'com.ecommerce.events',
      doc: "The order's reservation is released back to available stock.",
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        {
          name: 'orderId',
          type: 'string',
          doc: 'The order whose reservation is released; the Kafka message key.',
        },
        {
          name: 'items',
          type: {
            type: 'array',
            items: {
              type: 'record',
              name: 'StockLine',
              doc: 'A quantity of one SKU.',
              fields: [
                { name: 'sku', type: 'string' },
                { name: 'quantity', type: 'int' },
              ],
            },
          },
        },
      ],
    },
  },
  StockReserved: {
    1: {
      type: 'record',
      name: 'StockReserved',
      namespace: 'com.ecommerce.events',
      doc: 'Every line of the order is reserved in inventory.',
      fields: [
        {
          name: 'eventId',
          type: { type: 'string', logicalType: 'uuid' },
          doc: 'Unique id of this event; consumers deduplicate on it.',
        },
        {
          name: 'occurredAt',
          type: { type: 'long', logicalType: 'timestamp-millis' },
          doc: 'When the fact happened, in epoch milliseconds (UTC).',
        },
        {
          name: 'correlationId',
          type: 'string',
          doc: 'Shared by every event of one business flow, e.g. all events of one order.',
        },
        {
          name: 'causationId',
          type: ['null', 'string'],
          default: null,
          doc: 'eventId of the event this one reacts to; null when a command (e.g. an HTTP request) caused it.',
        },
        {
          name: 'orderId',
          type: 'string',
          doc: 'The order the stock is reserved for; the Kafka message key.',
        },
        {
          name: 'items',
          type: {
            type: 'array',
            items: {
              type: 'record',
              name: 'StockLine',
              doc: 'A quantity of one SKU.',
              fields: [
                { name: 'sku', type: 'string' },
                { name: 'quantity', type: 'int' },
              ],
            },
          },
        },
      ],
    },
  },
};
