import { eventAvroType } from '../event-schemas';
import type { OrderPlaced } from '../generated/event-types';
import { sampleEvents } from '../testing/sample-events';
import { payloadIssues } from './payload-issues';

const orderPlaced = eventAvroType('OrderPlaced');

/** A payload that does not type-check, as JavaScript callers or bad casts can produce. */
function malformed(payload: Record<string, unknown>): unknown {
  return payload;
}

describe('payloadIssues', () => {
  it.each(Object.entries(sampleEvents))(
    'when a %s matches its schema, then there is no issue',
    (eventType, payload) => {
      expect(payloadIssues(eventAvroType(eventType as keyof typeof sampleEvents), payload)).toEqual([]);
    },
  );

  it('when a nested field has the wrong type, then the issue names its path and the value type', () => {
    const items = [sampleEvents.OrderPlaced.items[0], { sku: 'SKU-1', quantity: '2', unitPriceCents: 100 }];
    expect(payloadIssues(orderPlaced, malformed({ ...sampleEvents.OrderPlaced, items }))).toEqual([
      { path: 'items[1].quantity', expected: 'int', actual: 'string' },
    ]);
  });

  it('when fields are missing or null, then each is reported', () => {
    const { customerId: _customerId, ...withoutCustomer } = sampleEvents.OrderPlaced;
    expect(payloadIssues(orderPlaced, malformed({ ...withoutCustomer, currency: null }))).toEqual([
      { path: 'customerId', expected: 'string', actual: 'missing' },
      { path: 'currency', expected: 'string', actual: 'null' },
    ]);
  });

  it('when occurredAt is a Date, then it is refused: timestamps are epoch milliseconds', () => {
    expect(
      payloadIssues(orderPlaced, malformed({ ...sampleEvents.OrderPlaced, occurredAt: new Date() })),
    ).toEqual([{ path: 'occurredAt', expected: 'long', actual: 'Date' }]);
  });

  it('when an amount is not an exact integer, then it is refused rather than rounded', () => {
    expect(payloadIssues(orderPlaced, malformed({ ...sampleEvents.OrderPlaced, totalCents: 49.99 }))).toEqual(
      [{ path: 'totalCents', expected: 'long', actual: 'number (not an integer)' }],
    );
    expect(
      payloadIssues(orderPlaced, malformed({ ...sampleEvents.OrderPlaced, totalCents: 2 ** 60 })),
    ).toEqual([{ path: 'totalCents', expected: 'long', actual: 'number (beyond 2^53, not exact)' }]);
  });

  it('when an enum value is not a symbol, then the issue lists the symbols', () => {
    const issues = payloadIssues(
      eventAvroType('OrderCancelled'),
      malformed({ ...sampleEvents.OrderCancelled, reason: 'FRAUD' }),
    );
    expect(issues).toEqual([
      {
        path: 'reason',
        expected: 'enum CancelReason (OUT_OF_STOCK | PAYMENT_DECLINED | CUSTOMER_REQUEST | TIMEOUT)',
        actual: 'string',
      },
    ]);
  });

  it('when a field is not in the schema, then it is reported instead of silently dropped', () => {
    const payload: OrderPlaced & { causationID: string } = {
      ...sampleEvents.OrderPlaced,
      causationID: 'typo',
    };
    expect(payloadIssues(orderPlaced, payload)).toEqual([
      { path: 'causationID', expected: 'no such field', actual: 'string' },
    ]);
    const v1 = eventAvroType('OrderPlaced', 1);
    expect(payloadIssues(v1, sampleEvents.OrderPlaced)).toEqual([
      { path: 'paymentToken', expected: 'no such field', actual: 'string' },
    ]);
  });

  it('when the payload is not an object, then the payload itself is reported', () => {
    expect(payloadIssues(orderPlaced, null)).toEqual([
      { path: '', expected: 'record OrderPlaced', actual: 'null' },
    ]);
  });
});
