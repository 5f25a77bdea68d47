import type { EventPayloads, TopicKey } from '@ecommerce/contracts';
import type { ConsumerLogger, EventHandlers } from '@ecommerce/runtime';

import {
  projectOrderCancelled,
  projectOrderConfirmed,
  projectOrderPlaced,
  type ProjectionOutcome,
} from '../application/project-order-events';
import type { AnalyticsTx } from '../persistence/analytics-database';

/** What the read models are built from; the rebuild replays exactly these topics. */
export const projectedTopics = ['orders'] as const satisfies readonly TopicKey[];

/**
 * The projections, for the consumer group `service.ts` declares on `projectedTopics`. The consumer
 * runs each handler in a transaction with the event's inbox row; an event that no longer applies
 * is logged and acknowledged, one that comes too early is retried.
 */
export function orderEventHandlers(deps: {
  logger: ConsumerLogger;
}): EventHandlers<EventPayloads, AnalyticsTx> {
  const { logger } = deps;
  const report = (event: { type: string; eventId: string }, orderId: string, result: ProjectionOutcome) => {
    const context = { eventType: event.type, eventId: event.eventId, orderId, ...result };
    if (result.outcome === 'ignored') logger.info(context, `${event.type} ignored`);
    else logger.debug(context, `${event.type} projected`);
  };
  return {
    OrderPlaced: async (event, tx) =>
      report(event, event.payload.orderId, await projectOrderPlaced(tx, event.payload)),
    OrderConfirmed: async (event, tx) =>
      report(event, event.payload.orderId, await projectOrderConfirmed(tx, event.payload)),
    OrderCancelled: async (event, tx) =>
      report(event, event.payload.orderId, await projectOrderCancelled(tx, event.payload)),
  };
}
