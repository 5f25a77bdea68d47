import type { OrderCancelled } from '@ecommerce/contracts';
import { type EventOutbox, reactionMetadata, writeEvent } from '@ecommerce/event-backbone';

import { paymentsToRefund } from '../domain/payment-rules';
import {
  markOrderCancelled,
  markPaymentRefunded,
  paymentsOfOrder,
  type PaymentDb,
  type PaymentRecord,
} from '../persistence/payments.repository';

export type RefundOutcome =
  { outcome: 'cancelled'; refunded: PaymentRecord[] } | { outcome: 'unknown-order' };

/**
 * OrderCancelled: mark the order cancelled, so no later StockReserved charges it, and refund every
 * authorization it has (REFUNDED + PaymentRefunded each), in the caller's transaction `tx`.
 *
 * Marking the order takes its row lock before the payments are read: an authorization running
 * concurrently is either already committed (and is refunded here) or waits for this commit (and
 * then sees the order cancelled). A cancelled order is never charged, so no authorization can land
 * after the cancel. Idempotent: a second OrderCancelled finds nothing left AUTHORIZED.
 *
 * An unknown order is acknowledged and left alone: OrderPlaced and OrderCancelled share the orders
 * topic and key, so OrderPlaced always comes first; it can be missing only if it was dead-lettered.
 */
export async function refundCancelledOrder(
  deps: { events: EventOutbox },
  tx: PaymentDb,
  event: OrderCancelled,
): Promise<RefundOutcome> {
  if (!(await markOrderCancelled(tx, event.orderId))) return { outcome: 'unknown-order' };

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
