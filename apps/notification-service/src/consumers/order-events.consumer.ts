import type { EventPayloads } from '@ecommerce/contracts';
import type { SqlExecutor } from '@ecommerce/database';
import { externalEffectHandler, type EventHandlers } from '@ecommerce/runtime';

import { notifyCustomer, type NotifyDependencies } from '../application/notify-customer';
import { orderCancelled, orderConfirmed, orderReceived } from '../domain/order-templates';

/**
 * order-received on OrderPlaced, order-confirmed on OrderConfirmed, order-cancelled on
 * OrderCancelled. Each mail is an effect outside the database, so each handler sends it before the
 * consumer's transaction and records it inside (ExternalEffectHandler).
 */
export function orderEventHandlers(dependencies: NotifyDependencies) {
  return {
    OrderPlaced: externalEffectHandler(({ payload }, runInTransaction) =>
      notifyCustomer(dependencies, runInTransaction, orderReceived(payload), payload),
    ),
    OrderConfirmed: externalEffectHandler(({ payload }, runInTransaction) =>
      notifyCustomer(dependencies, runInTransaction, orderConfirmed(payload), payload),
    ),
    OrderCancelled: externalEffectHandler(({ payload }, runInTransaction) =>
      notifyCustomer(dependencies, runInTransaction, orderCancelled(payload), payload),
    ),
  } satisfies EventHandlers<EventPayloads, SqlExecutor>;
}
