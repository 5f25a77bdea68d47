import { randomUUID } from 'node:crypto';

import type { RunInTransaction } from '@ecommerce/database';
import { commandMetadata, type EventOutbox, writeEvent } from '@ecommerce/runtime';
import { unprocessable } from '@ecommerce/http-server';

import { priceOrder, type PricedLine, type RequestedLine } from '../domain/pricing';
import { requestFingerprint } from '../domain/request-fingerprint';
import { findPrices } from '../persistence/catalog-repository';
import { claimIdempotencyKey, storeIdempotentResponse } from '../persistence/idempotency-repository';
import type { OrderTx } from '../persistence/order-database';
import { insertOrder } from '../persistence/order-repository';

export interface PlaceOrderRequest {
  customerId: string;
  items: RequestedLine[];
  paymentMethod?: { token: string };
}

/** The 202 answer to a placed order, and what a repeated Idempotency-Key gets back. */
export interface PlacedOrder {
  orderId: string;
  status: 'PENDING';
  items: PricedLine[];
  totalCents: number;
  currency: string;
}

/**
 * Prices the order from the catalog replica and, in one transaction, stores it PENDING (with its
 * lines and an `OrderPlaced` timeline entry) and writes OrderPlaced to the outbox, which starts the
 * saga. With an `idempotencyKey`, the key is claimed first in the same transaction and the answer
 * stored with the order: the same key and body get that answer again and no second order, even
 * when both requests run at once; the same key with another body is refused (422).
 *
 * The transaction is node-postgres's (`runInTransaction`: the routes' `sql`), not Prisma's, and
 * raw SQL throughout: Prisma's per-call cost was most of order-service's CPU per order, and the
 * writes, which nothing reads back, share the COMMIT's round trip (BENCHMARKS.md, "Placing an
 * order on node-postgres").
 */
export async function placeOrder(
  deps: { runInTransaction: RunInTransaction<OrderTx>; events: EventOutbox },
  request: PlaceOrderRequest,
  idempotencyKey?: string,
): Promise<PlacedOrder> {
  const fingerprint = requestFingerprint(request);
  return deps.runInTransaction(async (tx) => {
    if (idempotencyKey !== undefined) {
      const claim = await claimIdempotencyKey(tx, idempotencyKey, fingerprint);
      if (claim.outcome === 'taken') {
        if (claim.requestHash !== fingerprint) {
          throw unprocessable({
            code: 'IDEMPOTENCY_KEY_REUSED',
            title: 'Idempotency key reused',
            detail: 'This Idempotency-Key was used with a different request body.',
          });
        }
        // Written in the transaction that claimed the key, so never null once that committed.
        return claim.response as PlacedOrder;
      }
    }

    const pricing = priceOrder(
      request.items,
      await findPrices(
        tx,
        request.items.map((line) => line.sku),
      ),
    );
    if (pricing.outcome === 'unknown-skus') {
      throw unprocessable({
        code: 'UNKNOWN_SKU',
        title: 'Unknown SKU',
        detail: `No product ${pricing.skus.join(', ')} in the catalog.`,
        extensions: { skus: pricing.skus },
      });
    }
    if (pricing.outcome === 'mixed-currencies') {
      throw unprocessable({
        code: 'MIXED_CURRENCIES',
        title: 'Mixed currencies',
        detail: `An order is in one currency; its products are priced in ${pricing.currencies.join(', ')}.`,
        extensions: { currencies: pricing.currencies },
      });
    }

    const orderId = randomUUID();
    const metadata = commandMetadata();
    const { items, totalCents, currency } = pricing;
    await insertOrder(tx, {
      id: orderId,
      customerId: request.customerId,
      correlationId: metadata.correlationId,
      items,
      totalCents,
      currency,
    });
    await writeEvent(tx, deps.events, {
      type: 'OrderPlaced',
      payload: {
        ...metadata,
        orderId,
        customerId: request.customerId,
        items,
        totalCents,
        currency,
        paymentToken: request.paymentMethod?.token ?? null,
      },
    });
    const placed: PlacedOrder = { orderId, status: 'PENDING', items, totalCents, currency };
    if (idempotencyKey !== undefined) await storeIdempotentResponse(tx, idempotencyKey, placed);
    return placed;
  });
}
