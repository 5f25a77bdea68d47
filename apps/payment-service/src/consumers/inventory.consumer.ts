import type { EventPayloads } from '@ecommerce/contracts';
import type { ConsumerLogger, EventHandlers } from '@ecommerce/messaging';

import { authorizeOrderPayment } from '../application/authorize-order-payment';
import type { EventOutbox } from '@ecommerce/event-backbone';
import type { PaymentGateway } from '../gateway/simulated-payment-gateway';
import type { PaymentDb } from '../persistence/payments.repository';

/** The inventory topic: StockReserved charges the order. The other stock events are not payment's. */
export function inventoryHandlers(deps: {
  events: EventOutbox;
  gateway: PaymentGateway;
  logger: ConsumerLogger;
}): EventHandlers<EventPayloads, PaymentDb> {
  return {
    StockReserved: async ({ payload }, tx) => {
      const result = await authorizeOrderPayment(deps, tx, payload);
      if (result.outcome === 'skipped') {
        deps.logger.info({ orderId: payload.orderId, reason: result.reason }, 'StockReserved ignored');
      } else {
        deps.logger.info(
          { orderId: payload.orderId, paymentId: result.payment.paymentId, status: result.outcome },
          'payment recorded',
        );
      }
    },
  };
}
