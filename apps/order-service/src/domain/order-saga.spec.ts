import { decide, type OrderSagaState, type SagaInput } from './order-saga';

const pending: OrderSagaState = { status: 'PENDING', cancelReason: null };

describe('order saga decisions', () => {
  it('when stock is reserved, then the order stays pending and only its timeline moves', () => {
    expect(decide(pending, { type: 'StockReserved' })).toEqual({
      outcome: 'applied',
      next: pending,
      announce: null,
      timeline: 'StockReserved',
    });
  });

  it('when payment is authorized, then the order is confirmed and announces it', () => {
    expect(decide(pending, { type: 'PaymentAuthorized' })).toMatchObject({
      next: { status: 'CONFIRMED', cancelReason: null },
      announce: { type: 'OrderConfirmed' },
    });
  });

  it.each([
    [{ type: 'StockRejected' }, 'OUT_OF_STOCK'],
    [{ type: 'PaymentFailed' }, 'PAYMENT_DECLINED'],
    [{ type: 'CustomerCancelled' }, 'CUSTOMER_REQUEST'],
    [{ type: 'TimedOut' }, 'TIMEOUT'],
  ] as [SagaInput, string][])(
    'when %j happens to a pending order, then it is cancelled with %s and announces it',
    (input, reason) => {
      expect(decide(pending, input)).toMatchObject({
        outcome: 'applied',
        next: { status: 'CANCELLED', cancelReason: reason },
        announce: { type: 'OrderCancelled', reason },
      });
    },
  );

  it.each([
    'StockReserved',
    'StockRejected',
    'PaymentAuthorized',
    'PaymentFailed',
    'CustomerCancelled',
    'TimedOut',
  ] as const)('when %s reaches a terminal order, then it is ignored and nothing changes', (type) => {
    for (const terminal of [
      { status: 'CONFIRMED', cancelReason: null },
      { status: 'CANCELLED', cancelReason: 'TIMEOUT' },
    ] as OrderSagaState[]) {
      expect(decide(terminal, { type })).toEqual({
        outcome: 'ignored',
        reason: `${type} arrived after the order became ${terminal.status}`,
      });
    }
  });
});
