import type { OrderPlaced } from '@ecommerce/contracts';

import { saveOrderPaymentRequest, type PaymentDb } from '../persistence/payments.repository';

/**
 * OrderPlaced: keep what a later charge needs (amount, currency, token), since StockReserved carries
 * no amounts. Announces nothing. Idempotent: a second OrderPlaced for the order changes nothing.
 */
export async function recordOrderPlaced(tx: PaymentDb, event: OrderPlaced): Promise<void> {
  await saveOrderPaymentRequest(tx, {
    orderId: event.orderId,
    customerId: event.customerId,
    amountCents: event.totalCents,
    currency: event.currency,
    paymentToken: event.paymentToken,
    cancelled: false,
  });
}
