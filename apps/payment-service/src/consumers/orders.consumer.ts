import type { EventPayloads } from '@ecommerce/contracts';
import type { ConsumerLogger, EventHandlers, EventOutbox } from '@ecommerce/runtime';

import { recordOrderPlaced } from '../application/record-order-placed';
import { refundCancelledOrder } from '../application/refund-cancelled-order';
import type { PaymentDb } from '../persistence/payments.repository';

/** The orders topic: OrderPlaced (remember what to charge) and OrderCancelled (refund). */
export function ordersHandlers(deps: {
  events: EventOutbox;
  logger: ConsumerLogger;
}): EventHandlers<EventPayloads, PaymentDb> {
  return {
    OrderPlaced: async ({ payload }, tx) => {
      const result = await recordOrderPlaced(tx, payload);
      if (result.outcome === 'ignored') {
        deps.logger.info({ orderId: payload.orderId, reason: result.reason }, 'OrderPlaced ignored');
      }
    },
    OrderCancelled: async ({ payload }, tx) => {
      const result = await refundCancelledOrder(deps, tx, payload);
      if (result.outcome === 'cancelled-before-placed') {
        deps.logger.warn(
          { orderId: payload.orderId },
          'OrderCancelled for an order not placed here yet; remembered, so a late OrderPlaced charges nothing',
        );
      } else if (result.refunded.length > 0) {
        deps.logger.info(
          { orderId: payload.orderId, paymentIds: result.refunded.map((p) => p.paymentId) },
          'payments refunded',
        );
      }
    },
  };
}
