import { averageOrderCents } from '../domain/order-fact';
import type { AnalyticsDatabase } from '../persistence/analytics-database';
import {
  countOrders,
  salesByBucket,
  topProducts,
  type OrderCounts,
  type ProductSalesRow,
  type SalesBucket,
} from '../persistence/analytics-queries';

export interface Summary extends OrderCounts {
  averageOrderCents: number;
}

export interface SalesPoint {
  bucketStart: string;
  orders: number;
  revenueCents: number;
}

/** Orders by outcome, cancellations by reason, and revenue and average value of confirmed orders. */
export async function getSummary(deps: { db: AnalyticsDatabase }): Promise<Summary> {
  const counts = await countOrders(deps.db);
  return { ...counts, averageOrderCents: averageOrderCents(counts.revenueCents, counts.ordersConfirmed) };
}

export function getTopProducts(deps: { db: AnalyticsDatabase }, limit: number): Promise<ProductSalesRow[]> {
  return topProducts(deps.db, limit);
}

export async function getSales(deps: { db: AnalyticsDatabase }, bucket: SalesBucket): Promise<SalesPoint[]> {
  const rows = await salesByBucket(deps.db, bucket);
  return rows.map((row) => ({ ...row, bucketStart: row.bucketStart.toISOString() }));
}
