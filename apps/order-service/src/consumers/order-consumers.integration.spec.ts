import { randomUUID } from 'node:crypto';

import { writeEvent } from '@ecommerce/runtime';
import { waitFor } from '@ecommerce/test-infra';

import { placeOrder } from '../application/place-order';
import { addCatalogItem, startOrderTestHarness, type OrderTestHarness } from '../testing/order-test-harness';

describe('the order consumers through Kafka', () => {
  let harness: OrderTestHarness;

  beforeAll(async () => {
    harness = await startOrderTestHarness({ startConsumers: true });
  });

  afterAll(async () => {
    await harness?.close();
  });

  const metadata = () => ({
    eventId: randomUUID(),
    occurredAt: Date.now(),
    correlationId: randomUUID(),
    causationId: null,
  });
  const publish = (work: Parameters<typeof writeEvent>[2]) =>
    harness.db.$transaction((tx) => writeEvent(tx, harness.events, work));
  const catalogItem = (sku: string) => harness.db.catalogItem.findUnique({ where: { sku } });

  it('when ProductUpserted reaches the catalog topic, then the replica has the price; an older update does not roll it back', async () => {
    const newer = {
      ...metadata(),
      sku: 'LAMP-1',
      name: 'Lamp',
      priceCents: 3900,
      currency: 'USD',
      version: 2,
    };
    const older = {
      ...metadata(),
      occurredAt: newer.occurredAt - 60_000,
      sku: 'LAMP-1',
      name: 'Old lamp',
      priceCents: 100,
      currency: 'USD',
      version: 1,
    };

    await publish({ type: 'ProductUpserted', payload: newer });
    await publish({ type: 'ProductUpserted', payload: older });

    await waitFor('the replica of LAMP-1', () => catalogItem('LAMP-1'));
    // The older update is consumed after the newer one (same key, same partition) and changes nothing.
    await waitFor(
      'the older update consumed',
      async () => (await harness.db.inboxMessage.count({ where: { eventId: older.eventId } })) === 1,
    );
    expect(await catalogItem('LAMP-1')).toMatchObject({
      name: 'Lamp',
      priceCents: 3900n,
      currency: 'USD',
      updatedAt: new Date(newer.occurredAt),
    });
  });

  it('when two updates of a sku carry the same millisecond, then the replica keeps the higher version’s price, in whichever order they arrive', async () => {
    const occurredAt = Date.now();
    const update = (sku: string, version: number, priceCents: number) => ({
      ...metadata(),
      occurredAt,
      sku,
      name: `${sku} v${version}`,
      priceCents,
      currency: 'USD',
      version,
    });
    const inOrder = 'DESK-1';
    const reversed = 'DESK-2';
    const applied = [
      update(inOrder, 1, 100),
      update(inOrder, 2, 200),
      update(reversed, 2, 200),
      update(reversed, 1, 100),
    ];

    for (const payload of applied) await publish({ type: 'ProductUpserted', payload });

    await waitFor(
      'every update consumed',
      async () =>
        (await harness.db.inboxMessage.count({
          where: { eventId: { in: applied.map((payload) => payload.eventId) } },
        })) === applied.length,
    );
    for (const sku of [inOrder, reversed]) {
      expect(await catalogItem(sku)).toMatchObject({ name: `${sku} v2`, priceCents: 200n, version: 2n });
    }
  });

  it('when StockRejected reaches the inventory topic, then the order is CANCELLED (OUT_OF_STOCK) and OrderCancelled reaches the orders topic', async () => {
    await addCatalogItem(harness, 'KAFKA-1', 500);
    await harness.record(['orders']);
    const { orderId } = await placeOrder(
      { runInTransaction: harness.sql.runInTransaction, events: harness.events },
      { customerId: 'customer-k', items: [{ sku: 'KAFKA-1', quantity: 1 }] },
    );
    const placed = await harness.waitForEvent('OrderPlaced', (event) => event.orderId === orderId);

    await publish({
      type: 'StockRejected',
      payload: {
        ...metadata(),
        correlationId: placed.payload.correlationId,
        causationId: placed.payload.eventId,
        orderId,
        unavailable: [{ sku: 'KAFKA-1', requested: 1, available: 0 }],
      },
    });

    const cancelled = await harness.waitForEvent('OrderCancelled', (event) => event.orderId === orderId);
    expect(cancelled).toMatchObject({
      key: orderId,
      payload: { reason: 'OUT_OF_STOCK', correlationId: placed.payload.correlationId },
    });
    expect(await harness.db.order.findUniqueOrThrow({ where: { id: orderId } })).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'OUT_OF_STOCK',
    });
  });
});
