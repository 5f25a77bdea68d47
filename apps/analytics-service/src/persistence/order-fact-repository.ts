import type { CancelReason, OrderLine } from '@ecommerce/contracts';
import { executePipelined } from '@ecommerce/database';

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
  await executePipelined(
    tx,
    `INSERT INTO order_fact_lines (order_id, line_no, sku, quantity, unit_price_cents)
     SELECT $1::uuid, line.line_no - 1, line.sku, line.quantity, line.unit_price_cents
       FROM unnest($2::varchar[], $3::int[], $4::bigint[]) WITH ORDINALITY
         AS line(sku, quantity, unit_price_cents, line_no)`,
    order.orderId,
    order.items.map((item) => item.sku),
    order.items.map((item) => item.quantity),
    order.items.map((item) => String(item.unitPriceCents)),
  );
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

// The saga's writes are raw SQL, like the insert above: Prisma's cost is per call (BENCHMARKS.md,
// "Prisma's cost per call"). The caller holds the row (`lockOrderStatus`), so each update finds it,
// and none is waited for: pipelined, it shares its round trip with the COMMIT.

export async function markConfirmed(tx: AnalyticsTx, orderId: string, confirmedAt: Date): Promise<void> {
  await executePipelined(
    tx,
    `UPDATE order_facts SET status = 'CONFIRMED', confirmed_at = $2 WHERE order_id = $1::uuid`,
    orderId,
    confirmedAt,
  );
}

export async function markCancelled(
  tx: AnalyticsTx,
  orderId: string,
  reason: CancelReason,
  cancelledAt: Date,
): Promise<void> {
  await executePipelined(
    tx,
    `UPDATE order_facts SET status = 'CANCELLED', cancel_reason = $2, cancelled_at = $3
      WHERE order_id = $1::uuid`,
    orderId,
    reason,
    cancelledAt,
  );
}
