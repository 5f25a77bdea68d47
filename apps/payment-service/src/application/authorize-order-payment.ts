import { randomUUID } from 'node:crypto';
import type { StockReserved } from '@ecommerce/contracts';
import { type EventOutbox, reactionMetadata, writeEvent } from '@ecommerce/event-backbone';

import { decideCharge } from '../domain/payment-rules';
import type { PaymentGateway } from '../gateway/simulated-payment-gateway';
import {
  insertPayment,
  lockOrderPaymentRequest,
  paymentsOfOrder,
  type PaymentDb,
  type PaymentRecord,
} from '../persistence/payments.repository';
import { OrderNotYetKnownError } from './order-not-yet-known.error';

export type AuthorizeOutcome =
  { outcome: 'AUTHORIZED' | 'FAILED'; payment: PaymentRecord } | { outcome: 'skipped'; reason: string };

/**
 * StockReserved: charge the order through the gateway, then record the payment and announce it
 * (PaymentAuthorized or PaymentFailed) in the caller's transaction `tx`.
 *
 * The order's row is locked first, so a concurrent OrderCancelled either committed before (the
 * order is cancelled and is not charged) or waits until this charge is committed (and refunds it).
 * The gateway is called inside the transaction: a rollback after it re-runs the charge on retry,
 * which the deterministic simulated gateway answers the same way; a real gateway would take the
 * order id as its idempotency key.
 */
export async function authorizeOrderPayment(
  deps: { events: EventOutbox; gateway: PaymentGateway },
  tx: PaymentDb,
  event: StockReserved,
): Promise<AuthorizeOutcome> {
  const request = await lockOrderPaymentRequest(tx, event.orderId);
  if (!request) throw new OrderNotYetKnownError(event.orderId);

  const decision = decideCharge({
    cancelled: request.cancelled,
    payments: await paymentsOfOrder(tx, event.orderId),
  });
  if (decision.action === 'skip') return { outcome: 'skipped', reason: decision.reason };

  const result = await deps.gateway.authorize({
    orderId: request.orderId,
    amountCents: request.amountCents,
    currency: request.currency,
    token: request.paymentToken,
  });
  const payment: PaymentRecord = {
    paymentId: randomUUID(),
    orderId: request.orderId,
    status: result.outcome === 'AUTHORIZED' ? 'AUTHORIZED' : 'FAILED',
    amountCents: request.amountCents,
    currency: request.currency,
    reason: result.outcome === 'DECLINED' ? result.reason : null,
  };
  await insertPayment(tx, payment);

  const announced = {
    ...reactionMetadata(event),
    orderId: payment.orderId,
    paymentId: payment.paymentId,
    amountCents: payment.amountCents,
    currency: payment.currency,
  };
  if (result.outcome === 'AUTHORIZED') {
    await writeEvent(tx, deps.events, { type: 'PaymentAuthorized', payload: announced });
    return { outcome: 'AUTHORIZED', payment };
  }
  await writeEvent(tx, deps.events, {
    type: 'PaymentFailed',
    payload: { ...announced, reason: result.reason },
  });
  return { outcome: 'FAILED', payment };
}
