import type { EventPayloads } from '@ecommerce/contracts';
import type { EventHandlers } from '@ecommerce/messaging';

import { notifyCustomer, type NotifyDependencies } from '../application/notify-customer';
import { orderCancelled, orderConfirmed, orderReceived } from '../domain/order-templates';
import type { Prisma } from '../generated/prisma/client';

/** order-received on OrderPlaced, order-confirmed on OrderConfirmed, order-cancelled on OrderCancelled. */
export function orderEventHandlers(
  dependencies: NotifyDependencies,
): EventHandlers<EventPayloads, Prisma.TransactionClient> {
  return {
    OrderPlaced: async ({ payload }, tx) =>
      void (await notifyCustomer(tx, dependencies, orderReceived(payload), payload)),
    OrderConfirmed: async ({ payload }, tx) =>
      void (await notifyCustomer(tx, dependencies, orderConfirmed(payload), payload)),
    OrderCancelled: async ({ payload }, tx) =>
      void (await notifyCustomer(tx, dependencies, orderCancelled(payload), payload)),
  };
}
