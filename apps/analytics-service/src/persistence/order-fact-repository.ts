import type { CancelReason, OrderLine } from '@ecommerce/contracts';

import type { OrderStatus } from '../domain/order-fact';
import type { AnalyticsTx } from './analytics-database';

export interface PlacedOrder {
  orderId: string;
  totalCents: number;
  currency: string;
  placedAt: Date;
  items: readonly OrderLine[];
}

/** Records a placed order and its lines; false (and nothing written) if the order is already known. */
export async function insertPlacedOrder(tx: AnalyticsTx, order: PlacedOrder): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    `INSERT INTO order_facts (order_id, status, total_cents, currency, placed_at)
     VALUES ($1::uuid, 'PENDING', $2, $3, $4)
     ON CONFLICT (order_id) DO NOTHING`,
    order.orderId,
    order.totalCents,
    order.currency,
    order.placedAt,
  );
  if (inserted === 0) return false;
  await tx.orderFactLine.createMany({
    data: order.items.map((item, lineNo) => ({
      orderId: order.orderId,
      lineNo,
      sku: item.sku,
      quantity: item.quantity,
      unitPriceCents: BigInt(item.unitPriceCents),
    })),
  });
  return true;
}

/** The order's status (null if it was never placed), locked until the transaction ends. */
export async function lockOrderStatus(tx: AnalyticsTx, orderId: string): Promise<OrderStatus | null> {
  const rows = await tx.$queryRawUnsafe<{ status: OrderStatus }[]>(
    'SELECT status FROM order_facts WHERE order_id = $1::uuid FOR UPDATE',
    orderId,
  );
  return rows[0]?.status ?? null;
}

export async function markConfirmed(tx: AnalyticsTx, orderId: string, confirmedAt: Date): Promise<void> {
  await tx.orderFact.update({ where: { orderId }, data: { status: 'CONFIRMED', confirmedAt } });
}

export async function markCancelled(
  tx: AnalyticsTx,
  orderId: string,
  reason: CancelReason,
  cancelledAt: Date,
): Promise<void> {
  await tx.orderFact.update({
    where: { orderId },
    data: { status: 'CANCELLED', cancelReason: reason, cancelledAt },
  });
}
