import { toSafeNumber, type AnalyticsDatabase } from './analytics-database';

// The answers are computed from the facts at query time, each in one statement (one snapshot), so
// they always agree with the facts and with each other; there is no counter to drift or to rebuild.

export interface OrderCounts {
  ordersPlaced: number;
  ordersConfirmed: number;
  ordersCancelled: number;
  cancelReasons: Record<string, number>;
  revenueCents: number;
}

export async function countOrders(db: AnalyticsDatabase): Promise<OrderCounts> {
  const [row] = await db.$queryRawUnsafe<
    {
      placed: bigint;
      confirmed: bigint;
      cancelled: bigint;
      revenue_cents: bigint;
      cancel_reasons: Record<string, number>;
    }[]
  >(
    `SELECT count(*) AS placed,
            count(*) FILTER (WHERE status = 'CONFIRMED') AS confirmed,
            count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled,
            coalesce(sum(total_cents) FILTER (WHERE status = 'CONFIRMED'), 0)::bigint AS revenue_cents,
            (SELECT coalesce(jsonb_object_agg(cancel_reason, n), '{}'::jsonb)
               FROM (SELECT cancel_reason, count(*) AS n FROM order_facts
                      WHERE status = 'CANCELLED' AND cancel_reason IS NOT NULL
                      GROUP BY cancel_reason) AS reasons) AS cancel_reasons
       FROM order_facts`,
  );
  if (!row) throw new Error('an aggregate query returned no row');
  return {
    ordersPlaced: toSafeNumber(row.placed),
    ordersConfirmed: toSafeNumber(row.confirmed),
    ordersCancelled: toSafeNumber(row.cancelled),
    cancelReasons: row.cancel_reasons,
    revenueCents: toSafeNumber(row.revenue_cents),
  };
}

export interface ProductSalesRow {
  sku: string;
  unitsSold: number;
  revenueCents: number;
}

/** Units and revenue per sku over confirmed orders, by units sold (desc) then sku. */
export async function topProducts(db: AnalyticsDatabase, limit: number): Promise<ProductSalesRow[]> {
  const rows = await db.$queryRawUnsafe<{ sku: string; units_sold: bigint; revenue_cents: bigint }[]>(
    `SELECT l.sku,
            sum(l.quantity)::bigint AS units_sold,
            sum(l.quantity * l.unit_price_cents)::bigint AS revenue_cents
       FROM order_fact_lines l
       JOIN order_facts o ON o.order_id = l.order_id
      WHERE o.status = 'CONFIRMED'
      GROUP BY l.sku
      ORDER BY units_sold DESC, l.sku COLLATE "C"
      LIMIT $1`,
    limit,
  );
  return rows.map((row) => ({
    sku: row.sku,
    unitsSold: toSafeNumber(row.units_sold),
    revenueCents: toSafeNumber(row.revenue_cents),
  }));
}

export type SalesBucket = 'minute' | 'hour';

export interface SalesRow {
  bucketStart: Date;
  orders: number;
  revenueCents: number;
}

/** Confirmed orders and their revenue per UTC minute or hour of confirmation, oldest first. */
export async function salesByBucket(db: AnalyticsDatabase, bucket: SalesBucket): Promise<SalesRow[]> {
  const rows = await db.$queryRawUnsafe<{ bucket_start: Date; orders: bigint; revenue_cents: bigint }[]>(
    `SELECT date_trunc($1::text, confirmed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket_start,
            count(*) AS orders,
            sum(total_cents)::bigint AS revenue_cents
       FROM order_facts
      WHERE status = 'CONFIRMED'
      GROUP BY 1
      ORDER BY 1`,
    bucket,
  );
  return rows.map((row) => ({
    bucketStart: row.bucket_start,
    orders: toSafeNumber(row.orders),
    revenueCents: toSafeNumber(row.revenue_cents),
  }));
}
