import type { EventPayloads } from '@ecommerce/contracts';
import {
  type ConsumerLogger,
  type EventHandlers,
  type EventOutbox,
  externalEffectHandler,
} from '@ecommerce/runtime';

import { authorizeOrderPayment } from '../application/authorize-order-payment';
import type { PaymentGateway } from '../gateway/simulated-payment-gateway';
import type { PaymentDb } from '../persistence/payments.repository';

/**
 * The inventory topic: StockReserved charges the order. The charge is an effect outside the
 * database, so the attempt is claimed in a transaction of its own, the gateway asked after it and
 * its answer recorded in the consumer's transaction (ExternalEffectHandler). The other stock events
 * are not payment's.
 */
export function inventoryHandlers(deps: {
  events: EventOutbox;
  gateway: PaymentGateway;
  logger: ConsumerLogger;
}) {
  const authorize = authorizeOrderPayment(deps);
  return {
    StockReserved: externalEffectHandler({
      claim: ({ payload }, tx: PaymentDb) => authorize.claim(payload, tx),
      perform: async (claim, { payload }) => {
        const record = await authorize.perform(claim, payload);
        return async (tx: PaymentDb) => {
          const result = await record(tx);
          if (result.outcome === 'skipped') {
            deps.logger.info({ orderId: payload.orderId, reason: result.reason }, 'StockReserved ignored');
            return;
          }
          const context = {
            orderId: payload.orderId,
            paymentId: result.payment.paymentId,
            status: result.outcome,
          };
          if (result.outcome === 'REFUNDED') {
            deps.logger.warn(context, 'authorization landed after the order was cancelled; refunded');
          } else {
            deps.logger.info(context, 'payment recorded');
          }
        };
      },
    }),
  } satisfies EventHandlers<EventPayloads, PaymentDb>;
}
