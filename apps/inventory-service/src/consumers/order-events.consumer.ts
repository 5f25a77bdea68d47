import type { EventPayloads } from '@ecommerce/contracts';
import type { ConsumerLogger, EventHandlers, EventOutbox, LockBatch } from '@ecommerce/runtime';

import { commitStock } from '../application/commit-stock';
import { releaseStock } from '../application/release-stock';
import { reserveStock } from '../application/reserve-stock';
import type { InventoryTx } from '../persistence/inventory-database';
import { lockStockOfOrders } from '../persistence/product-repository';

/**
 * Inventory's side of the order saga, for the consumer group `service.ts` declares on the orders
 * topic. The consumer runs each handler in a transaction with the event's inbox row, so a
 * redelivery has no second effect; an event that no longer applies is logged and acknowledged.
 */
export function orderEventHandlers(deps: {
  events: EventOutbox;
  logger: ConsumerLogger;
}): EventHandlers<EventPayloads, InventoryTx> {
  const { events, logger } = deps;
  const report = (event: { type: string; eventId: string }, orderId: string, result: { outcome: string }) => {
    const context = { eventType: event.type, eventId: event.eventId, orderId, ...result };
    if (result.outcome === 'ignored') logger.info(context, `${event.type} ignored`);
    else logger.debug(context, `${event.type} applied`);
  };
  return {
    OrderPlaced: async (event, tx) =>
      report(event, event.payload.orderId, await reserveStock(tx, events, event.payload)),
    OrderConfirmed: async (event, tx) =>
      report(event, event.payload.orderId, await commitStock(tx, events, event.payload)),
    OrderCancelled: async (event, tx) =>
      report(event, event.payload.orderId, await releaseStock(tx, events, event.payload)),
  };
}

/**
 * What a batch transaction of order events locks first (`lockBatch`): every stock row its handlers
 * will lock, at once and in the global order. Stock rows are shared by the orders of every
 * partition, so batches that locked them event by event could lock them in opposite orders.
 */
export const lockStockBatch: LockBatch<EventPayloads, InventoryTx> = (events, tx) =>
  lockStockOfOrders(tx, {
    placedSkus: events.flatMap((event) =>
      event.type === 'OrderPlaced' ? event.payload.items.map((item) => item.sku) : [],
    ),
    settledOrderIds: events.flatMap((event) =>
      event.type === 'OrderConfirmed' || event.type === 'OrderCancelled' ? [event.payload.orderId] : [],
    ),
  });
