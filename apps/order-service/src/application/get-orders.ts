import { DomainError } from '@ecommerce/http-server';

import type { OrderStatus } from '../domain/order-saga';
import type { OrderDatabase } from '../persistence/order-database';
import {
  decodeCursor,
  findOrder,
  listOrders,
  type OrderPage,
  type OrderView,
} from '../persistence/order-repository';
import { unknownOrder } from './errors';

export async function getOrder(deps: { db: OrderDatabase }, orderId: string): Promise<OrderView> {
  const order = await findOrder(deps.db, orderId);
  if (!order) throw unknownOrder(orderId);
  return order;
}

/** A page of orders, newest first, optionally of one customer and/or in one status. */
export function getOrders(
  deps: { db: OrderDatabase },
  query: { customerId?: string; status?: OrderStatus; limit: number; cursor?: string },
): Promise<OrderPage> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (after === null) {
    throw new DomainError({
      code: 'INVALID_CURSOR',
      status: 400,
      detail: 'The cursor is not one this service issued; pass nextCursor from a previous page.',
    });
  }
  return listOrders(deps.db, {
    ...(query.customerId !== undefined && { customerId: query.customerId }),
    ...(query.status !== undefined && { status: query.status }),
    limit: query.limit,
    ...(after && { after }),
  });
}
