/**
 * Payment's rules for one order, as pure functions: whether a reserved order is charged, and which
 * payments a cancellation refunds. Persistence, the gateway and events live in the application
 * layer, which loads the state under a row lock, asks these functions, and applies the answer in
 * the consumer's transaction.
 */
export type PaymentStatus = 'AUTHORIZED' | 'FAILED' | 'REFUNDED';

export interface OrderPaymentState {
  /** Set by OrderCancelled; a cancelled order is never charged. */
  cancelled: boolean;
  /** Every payment recorded for the order so far, whatever its status. */
  payments: readonly { status: PaymentStatus }[];
}

export type ChargeDecision = { action: 'charge' } | { action: 'skip'; reason: string };

/**
 * StockReserved asks for a charge. An order is charged at most once: a second StockReserved (a
 * re-announcement under a new eventId) finds the first payment and is ignored. A cancelled order
 * is not charged at all, which closes the cancel-before-authorize race without ever moving money
 * that would have to be refunded at once.
 */
export function decideCharge(state: OrderPaymentState): ChargeDecision {
  if (state.cancelled) {
    return { action: 'skip', reason: 'the order was cancelled before its stock was reserved' };
  }
  const [existing] = state.payments;
  if (existing) {
    return { action: 'skip', reason: `the order already has a payment (${existing.status})` };
  }
  return { action: 'charge' };
}

/** OrderCancelled refunds every authorization of the order, and only those (FAILED moved no money). */
export function paymentsToRefund<P extends { status: PaymentStatus }>(payments: readonly P[]): P[] {
  return payments.filter((payment) => payment.status === 'AUTHORIZED');
}
