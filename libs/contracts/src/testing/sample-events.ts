import type { EventMetadata, EventPayloads, EventType } from '../generated/event-types';

const orderId = '7d2c1c8e-4f1b-4c55-9a43-0d6c1f0e5b21';
const customerId = 'customer-4711';
const correlationId = orderId;

function metadata(eventId: string, causationId: string | null): EventMetadata {
  return { eventId, occurredAt: Date.UTC(2026, 10, 23, 9, 30), correlationId, causationId };
}

/** One realistic event of every type: one order's story, and a catalog change. For tests. */
export const sampleEvents: { [Type in EventType]: EventPayloads[Type] } = {
  OrderPlaced: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e01', null),
    orderId,
    customerId,
    items: [
      { sku: 'SKU-MUG-01', quantity: 2, unitPriceCents: 1250 },
      { sku: 'SKU-TEE-42', quantity: 1, unitPriceCents: 2499 },
    ],
    totalCents: 4999,
    currency: 'EUR',
    paymentToken: 'tok_visa_4242',
  },
  StockReserved: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e02', '0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e01'),
    orderId,
    items: [
      { sku: 'SKU-MUG-01', quantity: 2 },
      { sku: 'SKU-TEE-42', quantity: 1 },
    ],
  },
  StockRejected: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e03', '0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e01'),
    orderId,
    unavailable: [{ sku: 'SKU-TEE-42', requested: 1, available: 0 }],
  },
  PaymentAuthorized: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e04', '0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e02'),
    orderId,
    paymentId: 'pay_8c41',
    amountCents: 4999,
    currency: 'EUR',
  },
  PaymentFailed: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e05', '0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e02'),
    orderId,
    paymentId: 'pay_8c42',
    amountCents: 4999,
    currency: 'EUR',
    reason: 'CARD_DECLINED',
  },
  PaymentRefunded: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e06', '0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e08'),
    orderId,
    paymentId: 'pay_8c41',
    amountCents: 4999,
    currency: 'EUR',
  },
  OrderConfirmed: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e07', '0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e04'),
    orderId,
    customerId,
    totalCents: 4999,
    currency: 'EUR',
  },
  OrderCancelled: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e08', '0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e05'),
    orderId,
    customerId,
    reason: 'PAYMENT_DECLINED',
  },
  StockReleased: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e09', '0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e08'),
    orderId,
    items: [{ sku: 'SKU-MUG-01', quantity: 2 }],
  },
  StockCommitted: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e10', '0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e07'),
    orderId,
    items: [{ sku: 'SKU-MUG-01', quantity: 2 }],
  },
  NotificationSent: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e11', '0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e07'),
    orderId,
    notificationId: 'ntf_51b2',
    customerId,
    template: 'order-confirmed',
    channel: 'email',
    status: 'SENT',
  },
  ProductUpserted: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e12', null),
    sku: 'SKU-MUG-01',
    name: 'Enamel mug, 350 ml',
    priceCents: 1250,
    currency: 'EUR',
    version: 3,
  },
  StockAdjusted: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e13', null),
    sku: 'SKU-MUG-01',
    delta: 24,
    onHand: 30,
    reserved: 2,
    reason: 'restock from supplier delivery 2026-11-22',
  },
  OutboxStatusReported: {
    ...metadata('0b9f6a4e-2a4c-4d8e-8f55-6f1f0c1d2e14', null),
    correlationId: 'order-service',
    service: 'order-service',
    instanceId: 'order-7f9c:4711',
    pendingEvents: 3,
    oldestPendingAgeMs: 120,
    quarantinedEvents: null,
    reportIntervalMs: 5_000,
  },
};
