import { conflict } from '@ecommerce/http-server';
import { commandMetadata, type EventOutbox, writeEvent } from '@ecommerce/runtime';

import { adjustStockLevel } from '../domain/stock-level';
import type { InventoryDatabase } from '../persistence/inventory-database';
import { lockStockLevels, toStockView, type StockView } from '../persistence/product-repository';
import { unknownSku } from './errors';

/**
 * A signed manual change of a SKU's onHand, announced as StockAdjusted, in one transaction. The
 * row is locked first, so the check against `reserved` cannot race a reservation.
 */
export async function adjustStock(
  deps: { db: InventoryDatabase; events: EventOutbox },
  sku: string,
  change: { quantity: number; reason: string | null },
): Promise<StockView> {
  return deps.db.$transaction(async (tx) => {
    const level = (await lockStockLevels(tx, [sku])).get(sku);
    if (!level) throw unknownSku(sku);
    const decision = adjustStockLevel(level, change.quantity);
    if (decision.outcome === 'below-reserved') {
      throw conflict({
        code: 'STOCK_BELOW_RESERVED',
        title: 'Stock below reserved',
        detail: `Changing ${sku} by ${change.quantity} would leave ${decision.onHand + change.quantity} on hand, below the ${decision.reserved} reserved for orders.`,
        extensions: { sku, onHand: decision.onHand, reserved: decision.reserved },
      });
    }
    if (decision.outcome === 'above-limit') {
      throw conflict({
        code: 'STOCK_LIMIT_EXCEEDED',
        title: 'Stock limit exceeded',
        detail: `Changing ${sku} by ${change.quantity} would exceed the largest stock a product can hold.`,
        extensions: { sku, onHand: decision.onHand },
      });
    }
    const row = await tx.product.update({ where: { sku }, data: { onHand: decision.next.onHand } });
    await writeEvent(tx, deps.events, {
      type: 'StockAdjusted',
      payload: {
        ...commandMetadata(),
        sku,
        delta: change.quantity,
        onHand: row.onHand,
        reserved: row.reserved,
        reason: change.reason,
      },
    });
    return toStockView(row);
  });
}
