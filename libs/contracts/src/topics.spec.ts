import { eventTypes, type EventType } from './generated/event-types';
import { sampleEvents } from './testing/sample-events';
import { allTopics, keyOf, subjectFor, topicFor, topicKeyFields, topicName, type TypedEvent } from './topics';

function typed<T extends EventType>(type: T): TypedEvent {
  return { type, payload: sampleEvents[type] } as TypedEvent;
}

describe('topics', () => {
  it('when no prefix is given, then topic names start with "ecommerce."', () => {
    expect(allTopics()).toEqual([
      'ecommerce.orders',
      'ecommerce.inventory',
      'ecommerce.payments',
      'ecommerce.catalog',
      'ecommerce.notifications',
      'ecommerce.operations',
    ]);
    expect(topicName('payments', 'test-42.')).toBe('test-42.payments');
  });

  it('when events are routed, then each aggregate has its topic', () => {
    expect(Object.fromEntries(eventTypes.map((eventType) => [eventType, topicFor(eventType)]))).toEqual({
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
      OutboxStatusReported: 'operations',
    });
  });

  it('when a subject is named, then it is the topic name and the full record name', () => {
    expect(subjectFor('OrderPlaced')).toBe('ecommerce.orders-com.ecommerce.events.OrderPlaced');
    expect(subjectFor('StockAdjusted', 'test-42.')).toBe(
      'test-42.catalog-com.ecommerce.events.StockAdjusted',
    );
  });

  it.each(eventTypes.filter((eventType) => !['catalog', 'operations'].includes(topicFor(eventType))))(
    'when a %s is keyed, then its key is the orderId',
    (eventType) => {
      expect(keyOf(typed(eventType))).toBe(sampleEvents.OrderPlaced.orderId);
    },
  );

  it.each(['ProductUpserted', 'StockAdjusted'] as const)(
    'when a %s is keyed, then its key is the sku',
    (eventType) => {
      expect(keyOf(typed(eventType))).toBe('SKU-MUG-01');
    },
  );

  it.each(eventTypes)('when a %s is keyed, then its key is the field topicKeyFields names', (eventType) => {
    const payload = sampleEvents[eventType] as unknown as Record<string, unknown>;
    expect(keyOf(typed(eventType))).toBe(payload[topicKeyFields[topicFor(eventType)]]);
  });

  it('when an OutboxStatusReported is keyed, then its key is the reporting service', () => {
    expect(keyOf(typed('OutboxStatusReported'))).toBe('order-service');
  });
});
