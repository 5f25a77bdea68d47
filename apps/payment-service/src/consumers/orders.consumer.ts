import type { EventPayloads } from '@ecommerce/contracts';
import type { ConsumerLogger, EventHandlers } from '@ecommerce/messaging';

import type { EventOutbox } from '@ecommerce/event-backbone';
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
      await recordOrderPlaced(tx, payload);
    },
    OrderCancelled: async ({ payload }, tx) => {
      const result = await refundCancelledOrder(deps, tx, payload);
      if (result.outcome === 'unknown-order') {
        deps.logger.warn(
          { orderId: payload.orderId },
          'OrderCancelled for an order never placed here; ignored',
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
