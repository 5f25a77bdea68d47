import type { OrderPlaced } from '@ecommerce/contracts';
import { lockKeyForTransaction } from '@ecommerce/database';

import { saveOrderPaymentRequest, wasCancelled, type PaymentDb } from '../persistence/payments.repository';
import { ORDER_LOCK_SCOPE } from './order-lock';

export type RecordOrderPlacedOutcome = { outcome: 'recorded' } | { outcome: 'ignored'; reason: string };

/**
 * OrderPlaced: keep what a later charge needs (amount, currency, token), since StockReserved carries
 * no amounts. Announces nothing. Idempotent: a second OrderPlaced for the order changes nothing.
 * An OrderPlaced that comes after its order's OrderCancelled (a dead-letter replay, a relay
 * re-publishing after a crash) is ignored: the order is over, and nothing may be charged for it.
 */
export async function recordOrderPlaced(
  tx: PaymentDb,
  event: OrderPlaced,
): Promise<RecordOrderPlacedOutcome> {
  await lockKeyForTransaction(tx, ORDER_LOCK_SCOPE, event.orderId);
  if (await wasCancelled(tx, event.orderId)) {
    return { outcome: 'ignored', reason: 'the order was cancelled before its OrderPlaced arrived' };
  }
  await saveOrderPaymentRequest(tx, {
    orderId: event.orderId,
    customerId: event.customerId,
    amountCents: event.totalCents,
    currency: event.currency,
    paymentToken: event.paymentToken,
    cancelled: false,
  });
  return { outcome: 'recorded' };
}
