import type { StockLine } from '@ecommerce/contracts';
import { executePipelined } from '@ecommerce/database';

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

// The saga's statements here are raw SQL, one per table whatever the number of lines: Prisma's
// cost is per call, twice the CPU of the same rows in raw SQL (BENCHMARKS.md, "Prisma's cost per
// call"). `lines` hold one entry per SKU (`demandBySku`, `decideSettlement`), so each product row
// is updated once. Times are the client's, as Prisma's `@updatedAt` and defaults are. The writes
// are pipelined (nothing reads their results): each shares its round trip with what follows it.

/**
 * Whether the order was cancelled here and whether it holds a reservation, read in one statement
 * (one snapshot, one round trip). Call it holding the order's lock (`lockOrder`), in a statement
 * after it: a statement's snapshot is taken when it starts, so one that waited for the lock itself
 * would not see what the lock's previous holder committed.
 */
export async function readOrderState(
  tx: InventoryTx,
  orderId: string,
): Promise<{ cancelled: boolean; reserved: boolean }> {
  const [row] = await tx.$queryRawUnsafe<{ cancelled: boolean; reserved: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM cancelled_orders WHERE order_id = $1::uuid) AS cancelled,
            EXISTS (SELECT 1 FROM stock_reservations WHERE order_id = $1::uuid) AS reserved`,
    orderId,
  );
  return { cancelled: row?.cancelled === true, reserved: row?.reserved === true };
}

/** Holds every line for the order: reserved += quantity per SKU, one RESERVED row per SKU. */
export async function holdStock(
  tx: InventoryTx,
  orderId: string,
  lines: readonly StockLine[],
): Promise<void> {
  const now = new Date();
  const skus = lines.map((line) => line.sku);
  const quantities = lines.map((line) => line.quantity);
  await executePipelined(
    tx,
    `UPDATE products SET reserved = products.reserved + line.quantity, updated_at = $3
       FROM unnest($1::varchar[], $2::int[]) AS line(sku, quantity)
      WHERE products.sku = line.sku`,
    skus,
    quantities,
    now,
  );
  await executePipelined(
    tx,
    `INSERT INTO stock_reservations (order_id, sku, quantity, status, created_at, updated_at)
     SELECT $1::uuid, line.sku, line.quantity, 'RESERVED', $4, $4
       FROM unnest($2::varchar[], $3::int[]) AS line(sku, quantity)`,
    orderId,
    skus,
    quantities,
    now,
  );
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
  const now = new Date();
  // COMMITTED: the units leave stock (on hand and reserved); RELEASED: they are available again.
  await executePipelined(
    tx,
    `UPDATE products
        SET on_hand = products.on_hand - CASE WHEN $3 = 'COMMITTED' THEN line.quantity ELSE 0 END,
            reserved = products.reserved - line.quantity,
            updated_at = $4
       FROM unnest($1::varchar[], $2::int[]) AS line(sku, quantity)
      WHERE products.sku = line.sku`,
    lines.map((line) => line.sku),
    lines.map((line) => line.quantity),
    status,
    now,
  );
  await executePipelined(
    tx,
    `UPDATE stock_reservations SET status = $2::reservation_status, updated_at = $3
      WHERE order_id = $1::uuid AND status = 'RESERVED'`,
    orderId,
    status,
    now,
  );
}
