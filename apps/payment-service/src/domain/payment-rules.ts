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
 * is not charged at all. (A cancel that comes while the gateway is being asked cannot stop that
 * charge: `refundsOnArrival` refunds it when it lands.)
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

/**
 * An authorization that lands for an order cancelled while the gateway was being asked is refunded
 * as soon as it is recorded: the cancellation could not refund what did not exist yet (SPEC 4,
 * "including one that lands after the cancel").
 */
export function refundsOnArrival(
  state: Pick<OrderPaymentState, 'cancelled'>,
  landed: PaymentStatus,
): boolean {
  return state.cancelled && landed === 'AUTHORIZED';
}

/** OrderCancelled refunds every authorization of the order, and only those (FAILED moved no money). */
export function paymentsToRefund<P extends { status: PaymentStatus }>(payments: readonly P[]): P[] {
  return payments.filter((payment) => payment.status === 'AUTHORIZED');
}
