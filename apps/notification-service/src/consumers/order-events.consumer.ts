import type { EventPayloads } from '@ecommerce/contracts';
import type { SqlExecutor } from '@ecommerce/database';
import type { EventHandlers } from '@ecommerce/runtime';

import { notifyCustomer, type NotifyDependencies } from '../application/notify-customer';
import { orderCancelled, orderConfirmed, orderReceived } from '../domain/order-templates';

/**
 * order-received on OrderPlaced, order-confirmed on OrderConfirmed, order-cancelled on
 * OrderCancelled. Each mail is an effect outside the database, so each handler claims it in a
 * transaction of its own, sends it after that and records it in the consumer's transaction
 * (ExternalEffectHandler).
 */
export function orderEventHandlers(dependencies: NotifyDependencies) {
  return {
    OrderPlaced: notifyCustomer(dependencies, orderReceived),
    OrderConfirmed: notifyCustomer(dependencies, orderConfirmed),
    OrderCancelled: notifyCustomer(dependencies, orderCancelled),
  } satisfies EventHandlers<EventPayloads, SqlExecutor>;
}
