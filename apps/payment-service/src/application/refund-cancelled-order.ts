import type { OrderCancelled } from '@ecommerce/contracts';
import { lockKeyForTransaction } from '@ecommerce/database';
import { type EventOutbox, reactionMetadata, writeEvent } from '@ecommerce/runtime';

import { paymentsToRefund } from '../domain/payment-rules';
import {
  markOrderCancelled,
  markPaymentRefunded,
  paymentsOfOrder,
  rememberCancellation,
  type PaymentDb,
  type PaymentRecord,
} from '../persistence/payments.repository';
import { ORDER_LOCK_SCOPE } from './order-lock';

export type RefundOutcome =
  | { outcome: 'cancelled'; refunded: PaymentRecord[] }
  /** Not placed here yet: the cancellation is remembered, so its OrderPlaced will be ignored. */
  | { outcome: 'cancelled-before-placed' };

/**
 * OrderCancelled: remember the cancellation, mark the order cancelled, so no later StockReserved
 * charges it, and refund every authorization it has (REFUNDED + PaymentRefunded each), in the
 * caller's transaction `tx`.
 *
 * Marking the order takes its row lock before the payments are read: an authorization being
 * claimed or recorded concurrently either committed before (and is refunded here) or waits for this
 * commit (and then skips the charge, or refunds the authorization that landed meanwhile).
 * Idempotent: a second OrderCancelled finds nothing left AUTHORIZED.
 *
 * An order not placed here yet is cancelled all the same: OrderPlaced and OrderCancelled share the
 * orders topic and key, so OrderPlaced normally comes first, but it can come later (dead-lettered
 * and replayed, re-published by a relay after a crash), and must then charge nothing (SPEC 4).
 */
export async function refundCancelledOrder(
  deps: { events: EventOutbox },
  tx: PaymentDb,
  event: OrderCancelled,
): Promise<RefundOutcome> {
  await lockKeyForTransaction(tx, ORDER_LOCK_SCOPE, event.orderId);
  await rememberCancellation(tx, event.orderId);
  if (!(await markOrderCancelled(tx, event.orderId))) return { outcome: 'cancelled-before-placed' };

  const refunded: PaymentRecord[] = [];
  for (const payment of paymentsToRefund(await paymentsOfOrder(tx, event.orderId))) {
    if (!(await markPaymentRefunded(tx, payment.paymentId))) continue;
    await writeEvent(tx, deps.events, {
      type: 'PaymentRefunded',
      payload: {
        ...reactionMetadata(event),
        orderId: payment.orderId,
        paymentId: payment.paymentId,
        amountCents: payment.amountCents,
        currency: payment.currency,
      },
    });
    refunded.push({ ...payment, status: 'REFUNDED' });
  }
  return { outcome: 'cancelled', refunded };
}
