import { randomUUID } from 'node:crypto';
import type { OrderCancelled, OrderPlaced, StockReserved } from '@ecommerce/contracts';

/** Events of one order's saga as payment sees them, each with fresh ids; tests override what they vary. */
export function orderPlaced(overrides: Partial<OrderPlaced> = {}): OrderPlaced {
  const eventId = randomUUID();
  return {
    eventId,
    occurredAt: Date.now(),
    correlationId: eventId,
    causationId: null,
    orderId: randomUUID(),
    customerId: randomUUID(),
    items: [{ sku: 'SKU-MUG-01', quantity: 2, unitPriceCents: 1250 }],
    totalCents: 2500,
    currency: 'USD',
    paymentToken: null,
    ...overrides,
  };
}

export function stockReserved(placed: OrderPlaced): StockReserved {
  return {
    eventId: randomUUID(),
    occurredAt: Date.now(),
    correlationId: placed.correlationId,
    causationId: placed.eventId,
    orderId: placed.orderId,
    items: placed.items.map(({ sku, quantity }) => ({ sku, quantity })),
  };
}

export function orderCancelled(placed: OrderPlaced): OrderCancelled {
  return {
    eventId: randomUUID(),
    occurredAt: Date.now(),
    correlationId: placed.correlationId,
    causationId: null,
    orderId: placed.orderId,
    customerId: placed.customerId,
    reason: 'CUSTOMER_REQUEST',
  };
}
