import { sampleEvents } from '@ecommerce/contracts/testing';
import type { FedEvent } from '@ecommerce/messaging';

import { OrderConsoleProjection } from './order-console-projection';

const prefix = 'ecommerce.';
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
let offset = 0;

function fed(
  type: keyof typeof sampleEvents,
  topic: string,
  overrides: Record<string, unknown> = {},
): FedEvent {
  const payload = { ...sampleEvents[type], ...overrides } as { occurredAt: number };
  return {
    type,
    payload,
    topic: `${prefix}${topic}`,
    partition: 0,
    offset: String(offset++),
    key: null,
    publishedAt: payload.occurredAt + 5,
    headers: { 'event-type': type, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
  };
}

const at = (ms: number) => sampleEvents.OrderPlaced.occurredAt + ms;

describe('the order console read model (built only from events)', () => {
  it("when an order goes through the happy path, then it is CONFIRMED with every service's events in time order", () => {
    const projection = new OrderConsoleProjection({ topicPrefix: prefix, maxOrders: 10 });
    // The inventory partition may be read before the orders partition: the timeline sorts by time.
    projection.apply(fed('StockReserved', 'inventory', { occurredAt: at(20) }));
    projection.apply(fed('OrderPlaced', 'orders'));
    projection.apply(fed('PaymentAuthorized', 'payments', { occurredAt: at(40) }));
    projection.apply(fed('OrderConfirmed', 'orders', { occurredAt: at(60) }));
    projection.apply(fed('NotificationSent', 'notifications', { occurredAt: at(90) }));
    const order = projection.order(sampleEvents.OrderPlaced.orderId);
    expect(order).toMatchObject({ status: 'CONFIRMED', customerId: 'customer-4711', totalCents: 4999 });
    expect(order?.timeline.map((entry) => entry.type)).toEqual([
      'OrderPlaced',
      'StockReserved',
      'PaymentAuthorized',
      'OrderConfirmed',
      'NotificationSent',
    ]);
    expect(order?.timeline[0]).toMatchObject({ traceId, publishedAt: at(5), topic: 'ecommerce.orders' });
    expect(order?.timeline[2]?.detail).toBe('49.99 EUR (payment pay_8c41)');
  });

  it('when a card is declined, then the order is CANCELLED with its reason and the release on the timeline', () => {
    const projection = new OrderConsoleProjection({ topicPrefix: prefix, maxOrders: 10 });
    projection.apply(fed('OrderPlaced', 'orders'));
    projection.apply(fed('PaymentFailed', 'payments', { occurredAt: at(30) }));
    projection.apply(fed('OrderCancelled', 'orders', { occurredAt: at(50), reason: 'PAYMENT_DECLINED' }));
    projection.apply(fed('StockReleased', 'inventory', { occurredAt: at(70) }));
    const order = projection.order(sampleEvents.OrderPlaced.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancelReason: 'PAYMENT_DECLINED' });
    expect(order?.timeline.at(-1)?.type).toBe('StockReleased');
  });

  it('when an event is delivered twice, then it is on the timeline once and reports no change', () => {
    const projection = new OrderConsoleProjection({ topicPrefix: prefix, maxOrders: 10 });
    const placed = fed('OrderPlaced', 'orders');
    expect(projection.apply(placed)).toEqual({ view: 'order', orderId: sampleEvents.OrderPlaced.orderId });
    expect(projection.apply({ ...placed, offset: '999' })).toBeUndefined();
    expect(projection.order(sampleEvents.OrderPlaced.orderId)?.timeline).toHaveLength(1);
  });

  it('when a settlement is contradicted (a late OrderCancelled after OrderConfirmed), then the first terminal status stays', () => {
    const projection = new OrderConsoleProjection({ topicPrefix: prefix, maxOrders: 10 });
    projection.apply(fed('OrderPlaced', 'orders'));
    projection.apply(fed('OrderConfirmed', 'orders'));
    projection.apply(fed('OrderCancelled', 'orders', { reason: 'TIMEOUT' }));
    expect(projection.order(sampleEvents.OrderPlaced.orderId)).toMatchObject({
      status: 'CONFIRMED',
      cancelReason: null,
    });
  });

  it('when more orders arrive than it keeps, then the one seen longest ago is forgotten', () => {
    const projection = new OrderConsoleProjection({ topicPrefix: prefix, maxOrders: 2 });
    for (const orderId of ['a', 'b', 'c'])
      projection.apply(fed('OrderPlaced', 'orders', { orderId, eventId: `e-${orderId}` }));
    expect(projection.order('a')).toBeUndefined();
    expect(
      projection
        .recentOrders(10)
        .map((order) => order.orderId)
        .sort(),
    ).toEqual(['b', 'c']);
  });

  it('when outbox samples arrive, then the latest per service is kept and an older one is ignored', () => {
    const projection = new OrderConsoleProjection({ topicPrefix: prefix, maxOrders: 10 });
    const sample = (occurredAt: number, pendingEvents: number) =>
      fed('OutboxStatusReported', 'operations', { occurredAt, pendingEvents, eventId: `s-${occurredAt}` });
    expect(projection.apply(sample(at(2_000), 7))).toEqual({ view: 'outboxes' });
    expect(projection.apply(sample(at(1_000), 1))).toBeUndefined();
    expect(projection.outboxStatuses()).toEqual([
      expect.objectContaining({
        service: 'order-service',
        pendingEvents: 7,
        reportedAt: at(2_000),
        quarantinedEvents: null,
      }),
    ]);
  });

  it('when the catalog changes, then products carry their price and available stock', () => {
    const projection = new OrderConsoleProjection({ topicPrefix: prefix, maxOrders: 10 });
    projection.apply(fed('ProductUpserted', 'catalog'));
    projection.apply(fed('StockAdjusted', 'catalog', { sku: sampleEvents.ProductUpserted.sku }));
    expect(projection.catalog()).toEqual([
      expect.objectContaining({ sku: sampleEvents.ProductUpserted.sku, available: 28, onHand: 30 }),
    ]);
  });
});
