import { randomUUID } from 'node:crypto';

import { writeEvent } from '@ecommerce/event-backbone';
import { waitFor } from '@ecommerce/test-infra';

import { placeOrder } from '../application/place-order';
import { startOrderTestHarness, type OrderTestHarness } from '../testing/order-test-harness';
import { startOrderConsumers } from './start-order-consumers';

describe('the order consumers through Kafka', () => {
  let harness: OrderTestHarness;

  beforeAll(async () => {
    harness = await startOrderTestHarness();
    const { backbone, prisma, logger, metrics } = harness;
    await startOrderConsumers({
      backbone,
      metrics,
      runInTransaction: (work) => prisma.$transaction(work),
      logger,
    });
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
    harness.prisma.$transaction((tx) => writeEvent(tx, harness.backbone, work));
  const catalogItem = (sku: string) => harness.prisma.catalogItem.findUnique({ where: { sku } });

  it('when ProductUpserted reaches the catalog topic, then the replica has the price; an older update does not roll it back', async () => {
    const newer = { ...metadata(), sku: 'LAMP-1', name: 'Lamp', priceCents: 3900, currency: 'USD' };
    const older = {
      ...metadata(),
      occurredAt: newer.occurredAt - 60_000,
      sku: 'LAMP-1',
      name: 'Old lamp',
      priceCents: 100,
      currency: 'USD',
    };

    await publish({ type: 'ProductUpserted', payload: newer });
    await publish({ type: 'ProductUpserted', payload: older });

    await waitFor('the replica of LAMP-1', () => catalogItem('LAMP-1'));
    // The older update is consumed after the newer one (same key, same partition) and changes nothing.
    await waitFor(
      'the older update consumed',
      async () => (await harness.prisma.inboxMessage.count({ where: { eventId: older.eventId } })) === 1,
    );
    expect(await catalogItem('LAMP-1')).toMatchObject({
      name: 'Lamp',
      priceCents: 3900n,
      currency: 'USD',
      updatedAt: new Date(newer.occurredAt),
    });
  });

  it('when StockRejected reaches the inventory topic, then the order is CANCELLED (OUT_OF_STOCK) and OrderCancelled reaches the orders topic', async () => {
    await harness.catalogItem('KAFKA-1', 500);
    await harness.record(['orders']);
    const { orderId } = await placeOrder(
      { db: harness.prisma, events: harness.backbone },
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
    expect(await harness.prisma.order.findUniqueOrThrow({ where: { id: orderId } })).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'OUT_OF_STOCK',
    });
  });
});
