/**
 * The order saga's decisions, as a pure function: given an order's saga state and something that
 * happened, what the order becomes, which event it announces, and what its timeline records.
 * Persistence, Kafka and time live elsewhere (the consumer loads the state, calls `decide`,
 * stores the result and writes the outbox in one transaction).
 *
 * Choreography (SPEC section 4): inventory reserves on OrderPlaced; payment authorizes on
 * StockReserved; the order confirms on PaymentAuthorized. Any cancellation is announced as
 * OrderCancelled, which inventory (release) and payment (refund) compensate on their own.
 */
export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';
export type CancelReason = 'OUT_OF_STOCK' | 'PAYMENT_DECLINED' | 'CUSTOMER_REQUEST' | 'TIMEOUT';

export interface OrderSagaState {
  status: OrderStatus;
  cancelReason: CancelReason | null;
}

/** What can happen to a pending order: other services' events, the customer, the clock. */
export type SagaInput =
  | { type: 'StockReserved' }
  | { type: 'StockRejected' }
  | { type: 'PaymentAuthorized' }
  | { type: 'PaymentFailed' }
  | { type: 'CustomerCancelled' }
  | { type: 'TimedOut' };

export type SagaAnnouncement = { type: 'OrderConfirmed' } | { type: 'OrderCancelled'; reason: CancelReason };

export type SagaDecision =
  /** The order moves on (or only its timeline does); announce the event, if any. */
  | { outcome: 'applied'; next: OrderSagaState; announce: SagaAnnouncement | null; timeline: string }
  /** Too late: the order is already terminal. Acknowledge, log, change nothing. */
  | { outcome: 'ignored'; reason: string };

const cancel = (reason: CancelReason, timeline: string): SagaDecision => ({
  outcome: 'applied',
  next: { status: 'CANCELLED', cancelReason: reason },
  announce: { type: 'OrderCancelled', reason },
  timeline,
});

export function decide(state: OrderSagaState, input: SagaInput): SagaDecision {
  if (state.status !== 'PENDING') {
    return { outcome: 'ignored', reason: `${input.type} arrived after the order became ${state.status}` };
  }
  switch (input.type) {
    case 'StockReserved':
      return { outcome: 'applied', next: state, announce: null, timeline: 'StockReserved' };
    case 'StockRejected':
      return cancel('OUT_OF_STOCK', 'StockRejected');
    case 'PaymentAuthorized':
      return {
        outcome: 'applied',
        next: { status: 'CONFIRMED', cancelReason: null },
        announce: { type: 'OrderConfirmed' },
        timeline: 'PaymentAuthorized',
      };
    case 'PaymentFailed':
      return cancel('PAYMENT_DECLINED', 'PaymentFailed');
    case 'CustomerCancelled':
      return cancel('CUSTOMER_REQUEST', 'CancelRequested');
    case 'TimedOut':
      return cancel('TIMEOUT', 'TimedOut');
  }
}
