import type { StockLine } from '@ecommerce/contracts';

import type { ReservationLine, ReservationStatus } from '../domain/reservation';
import type { InventoryTx } from './inventory-database';
import { lockStockLevels } from './product-repository';

/** The order's reservation lines (none if it was never reserved), locked until the transaction ends. */
export async function lockReservation(tx: InventoryTx, orderId: string): Promise<ReservationLine[]> {
  const rows = await tx.$queryRawUnsafe<{ sku: string; quantity: number; status: ReservationStatus }[]>(
    `SELECT sku, quantity, status::text AS status FROM stock_reservations
      WHERE order_id = $1::uuid
      ORDER BY sku COLLATE "C"
      FOR UPDATE`,
    orderId,
  );
  return rows;
}

export async function hasReservation(tx: InventoryTx, orderId: string): Promise<boolean> {
  return (await tx.stockReservation.count({ where: { orderId } })) > 0;
}

/** Holds every line for the order: reserved += quantity per SKU, one RESERVED row per SKU. */
export async function holdStock(
  tx: InventoryTx,
  orderId: string,
  lines: readonly StockLine[],
): Promise<void> {
  for (const { sku, quantity } of lines) {
    await tx.product.update({ where: { sku }, data: { reserved: { increment: quantity } } });
  }
  await tx.stockReservation.createMany({
    data: lines.map(({ sku, quantity }) => ({ orderId, sku, quantity, status: 'RESERVED' as const })),
  });
}

/**
 * Moves the order's RESERVED lines on: COMMITTED takes the units out of stock (onHand and reserved
 * both drop), RELEASED gives them back to available (reserved drops).
 */
export async function settleStock(
  tx: InventoryTx,
  orderId: string,
  lines: readonly StockLine[],
  status: 'COMMITTED' | 'RELEASED',
): Promise<void> {
  // Same lock order as a reservation, so a settlement and a reservation sharing SKUs cannot deadlock.
  await lockStockLevels(
    tx,
    lines.map((line) => line.sku),
  );
  for (const { sku, quantity } of lines) {
    await tx.product.update({
      where: { sku },
      data:
        status === 'COMMITTED'
          ? { onHand: { decrement: quantity }, reserved: { decrement: quantity } }
          : { reserved: { decrement: quantity } },
    });
  }
  await tx.stockReservation.updateMany({ where: { orderId, status: 'RESERVED' }, data: { status } });
}
