import { commandMetadata } from '@ecommerce/runtime';
import { conflict } from '@ecommerce/http-server';

import type { OrderDatabase } from '../persistence/order-database';
import { findOrder, lockOrder, type OrderView } from '../persistence/order-repository';
import { unknownOrder } from './errors';
import { applySagaInput, type SagaDeps } from './saga-transition';

/**
 * The customer cancels a PENDING order: CANCELLED (CUSTOMER_REQUEST) and OrderCancelled, in one
 * transaction under the order's row lock, so it cannot race a saga event or the timeout. A command,
 * so the event has no cause; it keeps the order's correlation id. An order already terminal: 409.
 */
export async function cancelOrder(
  deps: SagaDeps & { db: OrderDatabase },
  orderId: string,
): Promise<OrderView> {
  return deps.db.$transaction(async (tx) => {
    const order = await lockOrder(tx, orderId);
    if (!order) throw unknownOrder(orderId);
    const decision = await applySagaInput(
      tx,
      deps,
      order,
      { type: 'CustomerCancelled' },
      commandMetadata(order.correlationId),
    );
    if (decision.outcome === 'ignored') {
      throw conflict({
        code: 'ORDER_NOT_PENDING',
        title: 'Order not pending',
        detail: `Order ${orderId} is ${order.status} and can no longer be cancelled.`,
        extensions: { orderId, orderStatus: order.status },
      });
    }
    return (await findOrder(tx, orderId)) as OrderView;
  });
}
