import type { EventPayloads } from '@ecommerce/contracts';
import type { ConsumerLogger, EventHandlers } from '@ecommerce/runtime';

import { replicateProduct } from '../application/replicate-product';
import type { OrderTx } from '../persistence/order-database';

/** The catalog replica, for the catalog topic: ProductUpserted only (stock is not the order's). */
export function catalogEventHandlers(deps: {
  logger: ConsumerLogger;
}): EventHandlers<EventPayloads, OrderTx> {
  return {
    ProductUpserted: async (event, tx) => {
      const result = await replicateProduct(tx, event.payload);
      const { eventId, sku, version } = event.payload;
      const context = { eventType: event.type, eventId, sku, version };
      if (result.outcome === 'ignored')
        deps.logger.info({ ...context, reason: result.reason }, 'ProductUpserted ignored');
      else deps.logger.debug(context, 'ProductUpserted applied');
    },
  };
}
