import type { StockReserved } from '@ecommerce/contracts';
import { type ConsumerLogger, type EventOutbox, reactionMetadata, writeEvent } from '@ecommerce/runtime';

import { decideCharge, refundsOnArrival } from '../domain/payment-rules';
import type { AuthorizationResult, PaymentGateway } from '../gateway/simulated-payment-gateway';
import {
  claimPaymentAttempt,
  lockOrderPaymentRequest,
  markPaymentRefunded,
  paymentsOfOrder,
  recordPayment,
  wasCancelled,
  type OrderPaymentRequest,
  type PaymentAttempt,
  type PaymentDb,
  type PaymentRecord,
} from '../persistence/payments.repository';
import { OrderNotYetKnownError } from './order-not-yet-known.error';

export type AuthorizeOutcome =
  /** REFUNDED: authorized, but the order had been cancelled meanwhile, so refunded at once. */
  | { outcome: 'AUTHORIZED' | 'FAILED' | 'REFUNDED'; payment: PaymentRecord }
  | { outcome: 'skipped'; reason: string };

/** What a StockReserved recorded, in the consumer's transaction with its inbox row. */
export type RecordAuthorization = (tx: PaymentDb) => Promise<AuthorizeOutcome>;

/** What `claim` found: the attempt to charge with, or why there is nothing to charge. */
export type PaymentClaim =
  | { outcome: 'claimed'; request: OrderPaymentRequest; attempt: PaymentAttempt }
  | { outcome: 'skipped'; reason: string };

/**
 * Under the order's row lock: is the order to be charged, and with which attempt? An order not
 * placed here yet waits for its OrderPlaced (retriably), unless its cancellation came first.
 */
async function claimAuthorization(tx: PaymentDb, orderId: string): Promise<PaymentClaim> {
  const request = await lockOrderPaymentRequest(tx, orderId);
  if (!request) {
    if (await wasCancelled(tx, orderId)) {
      return { outcome: 'skipped', reason: 'the order was cancelled before it was placed here' };
    }
    throw new OrderNotYetKnownError(orderId);
  }
  const decision = decideCharge({
    cancelled: request.cancelled,
    payments: await paymentsOfOrder(tx, orderId),
  });
  if (decision.action === 'skip') return { outcome: 'skipped', reason: decision.reason };
  return { outcome: 'claimed', request, attempt: await claimPaymentAttempt(tx, orderId) };
}

/**
 * Records the gateway's answer as the payment (its id is the attempt's) and announces it
 * (PaymentAuthorized or PaymentFailed), under the order's row lock again. If OrderCancelled was
 * applied while the gateway was being asked, a landed authorization is refunded at once
 * (PaymentRefunded after PaymentAuthorized). An answer recorded already (by a concurrent delivery)
 * is not recorded twice.
 */
async function recordAnswer(
  tx: PaymentDb,
  events: EventOutbox,
  event: StockReserved,
  attempt: PaymentAttempt,
  result: AuthorizationResult,
): Promise<AuthorizeOutcome> {
  const request = await lockOrderPaymentRequest(tx, event.orderId);
  if (!request)
    throw new Error(`order ${event.orderId} lost its payment request after its attempt was claimed`);
  const payment: PaymentRecord = {
    paymentId: attempt.attemptId,
    orderId: request.orderId,
    status: result.outcome === 'AUTHORIZED' ? 'AUTHORIZED' : 'FAILED',
    amountCents: request.amountCents,
    currency: request.currency,
    reason: result.outcome === 'DECLINED' ? result.reason : null,
  };
  if (!(await recordPayment(tx, payment))) {
    return { outcome: 'skipped', reason: 'the gateway answer was recorded already' };
  }

  const announced = {
    ...reactionMetadata(event),
    orderId: payment.orderId,
    paymentId: payment.paymentId,
    amountCents: payment.amountCents,
    currency: payment.currency,
  };
  if (result.outcome === 'DECLINED') {
    await writeEvent(tx, events, { type: 'PaymentFailed', payload: { ...announced, reason: result.reason } });
    return { outcome: 'FAILED', payment };
  }
  await writeEvent(tx, events, { type: 'PaymentAuthorized', payload: announced });
  if (!refundsOnArrival(request, payment.status)) return { outcome: 'AUTHORIZED', payment };
  await markPaymentRefunded(tx, payment.paymentId);
  await writeEvent(tx, events, {
    type: 'PaymentRefunded',
    payload: { ...announced, ...reactionMetadata(event) },
  });
  return { outcome: 'REFUNDED', payment: { ...payment, status: 'REFUNDED' } };
}

/**
 * StockReserved: charge the order once, with no transaction open while the gateway answers
 * (SPEC 6): a slow gateway holds no lock, and a failed commit cannot leave a charge unrecorded,
 * to be made again on every retry. The steps of an ExternalEffectHandler:
 * 1. `claim`: the attempt is claimed under the order's row lock (`claimAuthorization`), in the
 *    transaction the consumer commits before the charge; a concurrent OrderCancelled either
 *    committed before (nothing is charged) or comes after.
 * 2. `perform`: the gateway is asked outside any transaction, with the attempt's id as idempotency
 *    key; the returned step records the answer (`recordAnswer`) with the consumer's inbox row.
 * A failure or crash between 2 and its record leaves the attempt claimed without a payment: the
 * retry claims it again (counted in `claims`, logged as a warning) and asks again under the same
 * key, which the gateway answers without charging twice.
 */
export function authorizeOrderPayment(deps: {
  events: EventOutbox;
  gateway: PaymentGateway;
  logger: ConsumerLogger;
}) {
  return {
    claim: (event: StockReserved, tx: PaymentDb): Promise<PaymentClaim> =>
      claimAuthorization(tx, event.orderId),
    perform: async (claim: PaymentClaim, event: StockReserved): Promise<RecordAuthorization> => {
      if (claim.outcome === 'skipped') return async () => claim;
      const { request, attempt } = claim;
      if (attempt.claims > 1) {
        deps.logger.warn(
          { orderId: event.orderId, attemptId: attempt.attemptId, claims: attempt.claims },
          'payment attempt claimed again: asking the gateway again under the same idempotency key',
        );
      }
      const result = await deps.gateway.authorize({
        idempotencyKey: attempt.attemptId,
        orderId: request.orderId,
        amountCents: request.amountCents,
        currency: request.currency,
        token: request.paymentToken,
      });
      return (tx) => recordAnswer(tx, deps.events, event, attempt, result);
    },
  };
}
