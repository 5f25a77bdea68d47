import { randomUUID } from 'node:crypto';

import type { OrderCancelled, OrderConfirmed, OrderPlaced, StockLine } from '@ecommerce/contracts';

import type { InventoryTx } from '../persistence/inventory-database';
import { startServiceTestHarness, type ServiceTestHarnessOf } from '@ecommerce/runtime/testing';

import { lockStockBatch } from '../consumers/order-events.consumer';
import { inventoryService } from '../service';
import { commitStock } from './commit-stock';
import { releaseStock } from './release-stock';
import { reserveStock, type ReserveOutcome } from './reserve-stock';

describe('stock reservations (the order saga’s inventory side) on a real database', () => {
  let harness: ServiceTestHarnessOf<typeof inventoryService>;

  beforeAll(async () => {
    harness = await startServiceTestHarness(inventoryService);
  });

  afterAll(async () => {
    await harness?.close();
  });

  const inTx = <T>(work: (tx: InventoryTx) => Promise<T>) =>
    harness.db.$transaction(work, { maxWait: 30_000, timeout: 30_000 });

  const metadata = () => ({
    eventId: randomUUID(),
    occurredAt: Date.now(),
    correlationId: randomUUID(),
    causationId: null,
  });
  const placed = (items: StockLine[]): OrderPlaced => ({
    ...metadata(),
    orderId: randomUUID(),
    customerId: 'customer-1',
    items: items.map((line) => ({ ...line, unitPriceCents: 100 })),
    totalCents: items.reduce((sum, line) => sum + line.quantity * 100, 0),
    currency: 'USD',
    paymentToken: null,
  });
  const confirmed = (order: OrderPlaced): OrderConfirmed => ({
    ...metadata(),
    correlationId: order.correlationId,
    orderId: order.orderId,
    customerId: order.customerId,
    totalCents: order.totalCents,
    currency: order.currency,
  });
  const cancelled = (order: OrderPlaced): OrderCancelled => ({
    ...metadata(),
    correlationId: order.correlationId,
    orderId: order.orderId,
    customerId: order.customerId,
    reason: 'PAYMENT_DECLINED',
  });

  const stocked = async (sku: string, onHand: number) => {
    await harness.db.product.create({
      data: { sku, name: sku, priceCents: 100n, currency: 'USD', onHand },
    });
  };
  const level = (sku: string) =>
    harness.db.product.findUniqueOrThrow({ where: { sku }, select: { onHand: true, reserved: true } });
  const reservationOf = (orderId: string) =>
    harness.db.stockReservation.findMany({
      where: { orderId },
      select: { sku: true, quantity: true, status: true },
      orderBy: { sku: 'asc' },
    });
  const eventsFor = async (
    type: 'StockReserved' | 'StockRejected' | 'StockCommitted' | 'StockReleased',
    orderId: string,
  ) => (await harness.outboxEvents(type)).filter((event) => event.orderId === orderId);

  it('when one line is short, then nothing is reserved and StockRejected names the short lines', async () => {
    await stocked('A-1', 5);
    await stocked('A-2', 1);
    const order = placed([
      { sku: 'A-1', quantity: 2 },
      { sku: 'A-2', quantity: 1 },
      { sku: 'A-2', quantity: 1 },
      { sku: 'A-GHOST', quantity: 1 },
    ]);

    const outcome = await inTx((tx) => reserveStock(tx, harness.events, order));

    const unavailable = [
      { sku: 'A-2', requested: 2, available: 1 },
      { sku: 'A-GHOST', requested: 1, available: 0 },
    ];
    expect(outcome).toEqual({ outcome: 'rejected', unavailable });
    expect(await level('A-1')).toEqual({ onHand: 5, reserved: 0 });
    expect(await level('A-2')).toEqual({ onHand: 1, reserved: 0 });
    expect(await reservationOf(order.orderId)).toEqual([]);
    expect(await eventsFor('StockRejected', order.orderId)).toEqual([
      expect.objectContaining({
        unavailable,
        correlationId: order.correlationId,
        causationId: order.eventId,
      }),
    ]);
    expect(await eventsFor('StockReserved', order.orderId)).toEqual([]);
  });

  it('when every line fits, then all are reserved; on confirmation the units leave stock', async () => {
    await stocked('B-1', 5);
    await stocked('B-2', 3);
    const order = placed([
      { sku: 'B-2', quantity: 3 },
      { sku: 'B-1', quantity: 2 },
    ]);

    await inTx((tx) => reserveStock(tx, harness.events, order));

    expect(await level('B-1')).toEqual({ onHand: 5, reserved: 2 });
    expect(await level('B-2')).toEqual({ onHand: 3, reserved: 3 });
    const items = [
      { sku: 'B-1', quantity: 2 },
      { sku: 'B-2', quantity: 3 },
    ];
    expect(await eventsFor('StockReserved', order.orderId)).toEqual([
      expect.objectContaining({ items, correlationId: order.correlationId, causationId: order.eventId }),
    ]);

    const confirmation = confirmed(order);
    await inTx((tx) => commitStock(tx, harness.events, confirmation));

    expect(await level('B-1')).toEqual({ onHand: 3, reserved: 0 });
    expect(await level('B-2')).toEqual({ onHand: 0, reserved: 0 });
    expect(await reservationOf(order.orderId)).toEqual(
      items.map((line) => ({ ...line, status: 'COMMITTED' })),
    );
    expect(await eventsFor('StockCommitted', order.orderId)).toEqual([
      expect.objectContaining({ items, causationId: confirmation.eventId }),
    ]);

    // A late cancellation of a committed order changes nothing.
    expect(await inTx((tx) => releaseStock(tx, harness.events, cancelled(order)))).toMatchObject({
      outcome: 'ignored',
    });
    expect(await level('B-1')).toEqual({ onHand: 3, reserved: 0 });
    expect(await eventsFor('StockReleased', order.orderId)).toEqual([]);
  });

  it('when a reserved order is cancelled, then the units return to available, once', async () => {
    await stocked('C-1', 4);
    const order = placed([{ sku: 'C-1', quantity: 3 }]);
    await inTx((tx) => reserveStock(tx, harness.events, order));
    const cancellation = cancelled(order);

    const first = await inTx((tx) => releaseStock(tx, harness.events, cancellation));
    const duplicate = await inTx((tx) =>
      releaseStock(tx, harness.events, { ...cancellation, eventId: randomUUID() }),
    );

    expect(first).toEqual({ outcome: 'applied', items: [{ sku: 'C-1', quantity: 3 }] });
    expect(duplicate).toMatchObject({ outcome: 'ignored' });
    expect(await level('C-1')).toEqual({ onHand: 4, reserved: 0 });
    expect(await reservationOf(order.orderId)).toEqual([{ sku: 'C-1', quantity: 3, status: 'RELEASED' }]);
    expect(await eventsFor('StockReleased', order.orderId)).toHaveLength(1);
    // And a confirmation after the release does not take the units.
    expect(await inTx((tx) => commitStock(tx, harness.events, confirmed(order)))).toMatchObject({
      outcome: 'ignored',
    });
  });

  it('when a rejected order is cancelled, then nothing happens and nothing is announced', async () => {
    const order = placed([{ sku: 'D-GHOST', quantity: 1 }]);
    await inTx((tx) => reserveStock(tx, harness.events, order));

    expect(await inTx((tx) => releaseStock(tx, harness.events, cancelled(order)))).toMatchObject({
      outcome: 'ignored',
    });
    expect(await eventsFor('StockReleased', order.orderId)).toEqual([]);
  });

  it('when OrderCancelled comes before OrderPlaced (a replayed dead letter), then the late OrderPlaced reserves and announces nothing', async () => {
    await stocked('F-1', 5);
    const order = placed([{ sku: 'F-1', quantity: 2 }]);

    expect(await inTx((tx) => releaseStock(tx, harness.events, cancelled(order)))).toMatchObject({
      outcome: 'ignored',
    });
    expect(await inTx((tx) => reserveStock(tx, harness.events, order))).toEqual({
      outcome: 'ignored',
      reason: 'the order was cancelled before its OrderPlaced arrived',
    });

    expect(await level('F-1')).toEqual({ onHand: 5, reserved: 0 });
    expect(await reservationOf(order.orderId)).toEqual([]);
    expect(await eventsFor('StockReserved', order.orderId)).toEqual([]);
    expect(await eventsFor('StockRejected', order.orderId)).toEqual([]);
  });

  it('when a rejected and cancelled order is placed again after stock arrived, then nothing is reserved', async () => {
    await stocked('G-1', 0);
    const order = placed([{ sku: 'G-1', quantity: 1 }]);
    await inTx((tx) => reserveStock(tx, harness.events, order));
    await inTx((tx) => releaseStock(tx, harness.events, cancelled(order)));
    await harness.db.product.update({ where: { sku: 'G-1' }, data: { onHand: 3 } });

    const again = await inTx((tx) => reserveStock(tx, harness.events, { ...order, eventId: randomUUID() }));

    expect(again).toMatchObject({ outcome: 'ignored' });
    expect(await level('G-1')).toEqual({ onHand: 3, reserved: 0 });
    expect(await eventsFor('StockReserved', order.orderId)).toEqual([]);
  });

  it('when an order is placed twice (a replay), then it is reserved once', async () => {
    await stocked('E-1', 5);
    const order = placed([{ sku: 'E-1', quantity: 2 }]);
    await inTx((tx) => reserveStock(tx, harness.events, order));

    const again = await inTx((tx) => reserveStock(tx, harness.events, { ...order, eventId: randomUUID() }));

    expect(again).toMatchObject({ outcome: 'ignored' });
    expect(await level('E-1')).toEqual({ onHand: 5, reserved: 2 });
  });

  // The database refuses a negative `available` (products_stock_check), a last line of defence. The
  // race below runs without it, so that what keeps `available` from going negative is the locking
  // alone: with the constraint, a locking bug would show only as refused transactions, never as the
  // negative availability the race samples for.
  it('when a write would take available below zero, then the database refuses it', async () => {
    await stocked('CHECK-1', 2);

    const overReserve = harness.db.product.update({
      where: { sku: 'CHECK-1' },
      data: { reserved: { increment: 3 } },
    });

    await expect(overReserve).rejects.toThrow(/products_stock_check/);
    expect(await level('CHECK-1')).toEqual({ onHand: 2, reserved: 0 });
  });

  it('when 50 orders of 1 race for 10 units with only the locking to stop them, then exactly 10 are reserved, 40 rejected, and available never goes negative', async () => {
    await stocked('RACE-1', 10);
    const orders = Array.from({ length: 50 }, () => placed([{ sku: 'RACE-1', quantity: 1 }]));
    const [{ definition }] = await harness.db.$queryRawUnsafe<[{ definition: string }]>(
      "SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = 'products_stock_check'",
    );
    await harness.db.$executeRawUnsafe('ALTER TABLE products DROP CONSTRAINT products_stock_check');
    let racing = true;
    const availableSeen: number[] = [];
    const watch = (async () => {
      while (racing) {
        const { onHand, reserved } = await level('RACE-1');
        availableSeen.push(onHand - reserved);
      }
    })();

    let outcomes: ReserveOutcome[];
    try {
      outcomes = await Promise.all(
        orders.map((order) => inTx((tx) => reserveStock(tx, harness.events, order))),
      );
    } finally {
      racing = false;
      await watch;
      await harness.db.$executeRawUnsafe(
        // NOT VALID: back for every later write at once, even if the race left a row it would refuse.
        `ALTER TABLE products ADD CONSTRAINT products_stock_check ${definition} NOT VALID`,
      );
    }

    expect(availableSeen.length).toBeGreaterThan(1);
    expect(Math.min(...availableSeen)).toBeGreaterThanOrEqual(0);
    const count = (outcome: string) => outcomes.filter((result) => result.outcome === outcome).length;
    expect({ reserved: count('reserved'), rejected: count('rejected') }).toEqual({
      reserved: 10,
      rejected: 40,
    });
    expect(await level('RACE-1')).toEqual({ onHand: 10, reserved: 10 });
    expect(await harness.db.stockReservation.count({ where: { sku: 'RACE-1', status: 'RESERVED' } })).toBe(
      10,
    );
    const orderIds = new Set(orders.map((order) => order.orderId));
    const announced = [
      ...(await harness.outboxEvents('StockReserved')),
      ...(await harness.outboxEvents('StockRejected')),
    ].filter((event) => orderIds.has(event.orderId));
    expect(announced).toHaveLength(50);
    await harness.db.$executeRawUnsafe('ALTER TABLE products VALIDATE CONSTRAINT products_stock_check');
  });

  it("when a batch of order events takes its locks first (lockStockBatch), then it holds exactly the stock rows its handlers lock: the placed orders' SKUs and those reserved for the settled ones", async () => {
    for (const sku of ['L-1', 'L-2', 'L-3', 'L-4', 'L-5']) await stocked(sku, 5);
    const settled = placed([{ sku: 'L-3', quantity: 1 }]);
    await inTx((tx) => reserveStock(tx, harness.events, settled));
    const arriving = placed([
      { sku: 'L-2', quantity: 1 },
      { sku: 'L-1', quantity: 1 },
    ]);
    const consumed = <Type extends string, Payload extends { eventId: string }>(
      type: Type,
      payload: Payload,
    ) => ({
      type,
      payload,
      eventId: payload.eventId,
      topic: 'orders',
      partition: 0,
      offset: '0',
      key: null,
      headers: {},
    });

    const unlocked = await inTx(async (tx) => {
      await lockStockBatch(
        [consumed('OrderPlaced', arriving), consumed('OrderConfirmed', confirmed(settled))],
        tx,
      );
      // Another session, while the batch's transaction holds its locks.
      const free = await harness.db.$queryRawUnsafe<{ sku: string }[]>(
        `SELECT sku FROM products WHERE sku LIKE 'L-%' ORDER BY sku FOR UPDATE SKIP LOCKED`,
      );
      return free.map((row) => row.sku);
    });
    expect(unlocked).toEqual(['L-4', 'L-5']);
  });
});
