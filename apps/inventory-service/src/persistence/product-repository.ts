import type { StockLevel } from '../domain/stock-level';
import { availableOf } from '../domain/stock-level';
import type { Product } from '../generated/prisma/client';
import type { InventoryPrismaTx, InventoryTx } from './inventory-database';

/** A product as the API and the events show it: cents as a number (they stay far below 2^53). */
export interface ProductView {
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
  onHand: number;
  reserved: number;
  available: number;
}

export interface StockView {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

export const toStockView = ({
  sku,
  onHand,
  reserved,
}: Pick<Product, 'sku' | 'onHand' | 'reserved'>): StockView => ({
  sku,
  onHand,
  reserved,
  available: availableOf({ onHand, reserved }),
});

export const toProductView = (row: Product): ProductView => ({
  ...toStockView(row),
  name: row.name,
  priceCents: Number(row.priceCents),
  currency: row.currency,
});

type Reader = Pick<InventoryPrismaTx, 'product'>;

export async function findProduct(db: Reader, sku: string): Promise<ProductView | null> {
  const row = await db.product.findUnique({ where: { sku } });
  return row && toProductView(row);
}

export async function listProducts(db: Reader): Promise<ProductView[]> {
  const rows = await db.product.findMany({ orderBy: { sku: 'asc' } });
  return rows.map(toProductView);
}

/**
 * Locks the stock rows of `skus` (`FOR UPDATE`) until the transaction ends and returns their
 * levels; SKUs without a product are absent from the map. Every writer of stock locks through
 * here, and rows are locked in one global order (byte order of the SKU, `COLLATE "C"`, whatever
 * the database's collation), so transactions that share SKUs queue instead of deadlocking.
 */
export async function lockStockLevels(
  tx: InventoryTx,
  skus: readonly string[],
): Promise<Map<string, StockLevel>> {
  const rows = await tx.$queryRawUnsafe<{ sku: string; on_hand: number; reserved: number }[]>(
    `SELECT sku, on_hand, reserved FROM products
      WHERE sku = ANY($1::varchar[])
      ORDER BY sku COLLATE "C"
      FOR UPDATE`,
    skus,
  );
  return new Map(rows.map((row) => [row.sku, { onHand: row.on_hand, reserved: row.reserved }]));
}

/**
 * Locks, in the same global order, the stock rows a batch of order events is about to lock (see
 * `lockStockBatch`): the SKUs of the orders placed, and those reserved for the orders settled
 * (confirmed or cancelled).
 */
export async function lockStockOfOrders(
  tx: InventoryTx,
  { placedSkus, settledOrderIds }: { placedSkus: readonly string[]; settledOrderIds: readonly string[] },
): Promise<void> {
  await tx.$queryRawUnsafe(
    `SELECT 1 FROM products
      WHERE sku = ANY($1::varchar[])
         OR sku IN (SELECT sku FROM stock_reservations WHERE order_id = ANY($2::uuid[]))
      ORDER BY sku COLLATE "C"
      FOR UPDATE`,
    placedSkus,
    settledOrderIds,
  );
}
