import { randomUUID } from 'node:crypto';

import type { OrderCancelled, OrderPlaced } from '@ecommerce/contracts';
import { writeEvent } from '@ecommerce/runtime';
import { waitFor } from '@ecommerce/test-infra';

import { startServiceTestHarness, type ServiceTestHarnessOf } from '@ecommerce/runtime/testing';

import { inventoryService } from '../service';

describe('the order events consumer through Kafka', () => {
  let harness: ServiceTestHarnessOf<typeof inventoryService>;

  beforeAll(async () => {
    harness = await startServiceTestHarness(inventoryService, { startConsumers: true });
    await harness.record(['inventory']);
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('when OrderPlaced reaches the orders topic, then the stock is reserved and StockReserved reaches the inventory topic', async () => {
    await harness.db.product.create({
      data: { sku: 'K-1', name: 'Kettle', priceCents: 4500n, currency: 'USD', onHand: 3 },
    });
    const order: OrderPlaced = {
      eventId: randomUUID(),
      occurredAt: Date.now(),
      correlationId: randomUUID(),
      causationId: null,
      orderId: randomUUID(),
      customerId: 'customer-1',
      items: [{ sku: 'K-1', quantity: 2, unitPriceCents: 4500 }],
      totalCents: 9000,
      currency: 'USD',
      paymentToken: null,
    };

    // Published the way the order service publishes: its outbox, relayed to the orders topic.
    await harness.db.$transaction((tx) =>
      writeEvent(tx, harness.events, { type: 'OrderPlaced', payload: order }),
    );

    const reserved = await harness.waitForEvent('StockReserved', (event) => event.orderId === order.orderId);
    expect(reserved).toMatchObject({
      key: order.orderId,
      payload: {
        items: [{ sku: 'K-1', quantity: 2 }],
        correlationId: order.correlationId,
        causationId: order.eventId,
      },
    });
    expect(await harness.db.product.findUniqueOrThrow({ where: { sku: 'K-1' } })).toMatchObject({
      onHand: 3,
      reserved: 2,
    });
  });

  it('when OrderCancelled reaches the orders topic before its OrderPlaced, then the late OrderPlaced reserves nothing and announces nothing', async () => {
    await harness.db.product.create({
      data: { sku: 'K-2', name: 'Kettle', priceCents: 4500n, currency: 'USD', onHand: 3 },
    });
    const placed: OrderPlaced = {
      eventId: randomUUID(),
      occurredAt: Date.now(),
      correlationId: randomUUID(),
      causationId: null,
      orderId: randomUUID(),
      customerId: 'customer-2',
      items: [{ sku: 'K-2', quantity: 2, unitPriceCents: 4500 }],
      totalCents: 9000,
      currency: 'USD',
      paymentToken: null,
    };
    const cancelled: OrderCancelled = {
      eventId: randomUUID(),
      occurredAt: Date.now(),
      correlationId: placed.correlationId,
      causationId: null,
      orderId: placed.orderId,
      customerId: placed.customerId,
      reason: 'TIMEOUT',
    };

    // As after a dead-lettered OrderPlaced is replayed once its order has timed out.
    await harness.db.$transaction((tx) =>
      writeEvent(tx, harness.events, { type: 'OrderCancelled', payload: cancelled }),
    );
    await harness.db.$transaction((tx) =>
      writeEvent(tx, harness.events, { type: 'OrderPlaced', payload: placed }),
    );

    await waitFor(
      'the late OrderPlaced to be handled',
      async () => (await harness.db.inboxMessage.count({ where: { eventId: placed.eventId } })) === 1,
    );
    expect(await harness.db.product.findUniqueOrThrow({ where: { sku: 'K-2' } })).toMatchObject({
      onHand: 3,
      reserved: 0,
    });
    expect(await harness.db.stockReservation.count({ where: { orderId: placed.orderId } })).toBe(0);
    const announced = [
      ...(await harness.outboxEvents('StockReserved')),
      ...(await harness.outboxEvents('StockRejected')),
    ].filter((event) => event.orderId === placed.orderId);
    expect(announced).toEqual([]);
  });
});
