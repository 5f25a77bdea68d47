import type { ConsumedEvent, EventHandler } from '@ecommerce/runtime';
import type { HttpServer } from '@ecommerce/http-server';
import { buildServiceApp } from '@ecommerce/runtime';

import { analyticsService } from '../service';
import { OrderNotPlacedYet } from '../application/errors';
import { orderEventHandlers } from '../consumers/order-events.consumer';
import type { AnalyticsTx } from '../persistence/analytics-database';
import {
  orderEvents,
  startAnalyticsTestHarness,
  type AnalyticsTestHarness,
} from '../testing/analytics-test-harness';

type OrderEvent = ReturnType<ReturnType<typeof orderEvents>['placed' | 'confirmed' | 'cancelled']>;

const at = (time: string) => Date.parse(`2026-01-15T${time}Z`);

describe('analytics projections and HTTP API on a real database', () => {
  let harness: AnalyticsTestHarness;
  let app: HttpServer;

  beforeAll(async () => {
    harness = await startAnalyticsTestHarness();
    app = await buildServiceApp(analyticsService, harness);
  });

  afterAll(async () => {
    await app?.close(); // closes the Prisma client (a dependency of the server)
    await harness?.close();
  });

  /** Applies an event through its handler in a transaction, as the consumer does (minus the inbox). */
  const apply = async (event: OrderEvent) => {
    const handler = orderEventHandlers({ logger: harness.logger })[event.type] as EventHandler<
      AnalyticsTx,
      ConsumedEvent
    >;
    const consumed: ConsumedEvent = {
      type: event.type,
      payload: event.payload,
      eventId: event.payload.eventId,
      topic: 'orders',
      partition: 0,
      offset: '0',
      key: event.payload.orderId,
      headers: {},
    };
    await harness.db.$transaction((tx) => handler(consumed, tx));
  };
  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    return response.json() as unknown;
  };

  // Two confirmed orders in different hours, one cancelled, one pending.
  const shipped = orderEvents();
  const outOfStock = orderEvents();
  const pending = orderEvents();
  const later = orderEvents();
  const history: OrderEvent[] = [
    shipped.placed(
      [
        { sku: 'SKU-A', quantity: 2, unitPriceCents: 1500 },
        { sku: 'SKU-B', quantity: 1, unitPriceCents: 4000 },
      ],
      at('10:00:05'),
    ),
    outOfStock.placed([{ sku: 'SKU-A', quantity: 1, unitPriceCents: 1500 }], at('10:00:10')),
    pending.placed([{ sku: 'SKU-C', quantity: 3, unitPriceCents: 1000 }], at('10:00:20')),
    shipped.confirmed(7000, at('10:01:30')),
    outOfStock.cancelled('OUT_OF_STOCK', at('10:01:40')),
    later.placed([{ sku: 'SKU-B', quantity: 1, unitPriceCents: 4001 }], at('11:04:00')),
    later.confirmed(4001, at('11:05:59')),
  ];
  const expectedSummary = {
    ordersPlaced: 4,
    ordersConfirmed: 2,
    ordersCancelled: 1,
    cancelReasons: { OUT_OF_STOCK: 1 },
    revenueCents: 11001,
    averageOrderCents: 5501, // 5500.5, rounded half up
  };

  it('when no event has arrived, then every answer is empty and the average is 0', async () => {
    expect(await get('/analytics/summary')).toEqual({
      ordersPlaced: 0,
      ordersConfirmed: 0,
      ordersCancelled: 0,
      cancelReasons: {},
      revenueCents: 0,
      averageOrderCents: 0,
    });
    expect(await get('/analytics/products/top')).toEqual([]);
    expect(await get('/analytics/sales?bucket=minute')).toEqual([]);
  });

  it('when orders are placed, confirmed and cancelled, then their facts record each step at its event’s time', async () => {
    for (const event of history) await apply(event);

    const facts = await harness.db.orderFact.findMany({
      include: { lines: { orderBy: { lineNo: 'asc' } } },
    });
    const byId = new Map(facts.map((fact) => [fact.orderId, fact]));
    expect(byId.get(shipped.orderId)).toMatchObject({
      status: 'CONFIRMED',
      totalCents: 7000n,
      placedAt: new Date(at('10:00:05')),
      confirmedAt: new Date(at('10:01:30')),
      cancelledAt: null,
      lines: [
        { lineNo: 0, sku: 'SKU-A', quantity: 2, unitPriceCents: 1500n },
        { lineNo: 1, sku: 'SKU-B', quantity: 1, unitPriceCents: 4000n },
      ],
    });
    expect(byId.get(outOfStock.orderId)).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'OUT_OF_STOCK',
      cancelledAt: new Date(at('10:01:40')),
      confirmedAt: null,
    });
    expect(byId.get(pending.orderId)).toMatchObject({
      status: 'PENDING',
      confirmedAt: null,
      cancelledAt: null,
    });
  });

  it('then the summary counts orders by outcome and reason, with revenue and average of confirmed orders', async () => {
    expect(await get('/analytics/summary')).toEqual(expectedSummary);
  });

  it('then top products rank confirmed units by count, then sku, with their revenue', async () => {
    expect(await get('/analytics/products/top')).toEqual([
      { sku: 'SKU-A', unitsSold: 2, revenueCents: 3000 },
      { sku: 'SKU-B', unitsSold: 2, revenueCents: 8001 },
    ]);
    expect(await get('/analytics/products/top?limit=1')).toEqual([
      { sku: 'SKU-A', unitsSold: 2, revenueCents: 3000 },
    ]);
  });

  it('then sales group confirmed orders by the UTC minute or hour of their confirmation, oldest first', async () => {
    expect(await get('/analytics/sales?bucket=minute')).toEqual([
      { bucketStart: '2026-01-15T10:01:00.000Z', orders: 1, revenueCents: 7000 },
      { bucketStart: '2026-01-15T11:05:00.000Z', orders: 1, revenueCents: 4001 },
    ]);
    const hourly = [
      { bucketStart: '2026-01-15T10:00:00.000Z', orders: 1, revenueCents: 7000 },
      { bucketStart: '2026-01-15T11:00:00.000Z', orders: 1, revenueCents: 4001 },
    ];
    expect(await get('/analytics/sales?bucket=hour')).toEqual(hourly);
    expect(await get('/analytics/sales')).toEqual(hourly);
  });

  it('when events arrive again, or settle an order a second time, then nothing changes', async () => {
    const before = await harness.db.orderFact.findMany({
      include: { lines: true },
      orderBy: { orderId: 'asc' },
    });

    for (const event of history) await apply(event); // redelivered, bypassing the inbox
    await apply(shipped.confirmed(7000, at('12:00:00'))); // a second confirmation, a new eventId
    await apply(shipped.cancelled('CUSTOMER_REQUEST', at('12:00:01'))); // contrary to the first
    await apply(outOfStock.confirmed(1500, at('12:00:02')));
    await apply(shipped.placed([{ sku: 'SKU-Z', quantity: 9, unitPriceCents: 1 }], at('12:00:03')));

    expect(
      await harness.db.orderFact.findMany({ include: { lines: true }, orderBy: { orderId: 'asc' } }),
    ).toEqual(before);
    expect(await get('/analytics/summary')).toEqual(expectedSummary);
  });

  it('when an order is settled before it is placed, then the event fails retriably and writes nothing', async () => {
    const unknown = orderEvents();

    const failure = apply(unknown.confirmed(100, at('13:00:00')));

    await expect(failure).rejects.toBeInstanceOf(OrderNotPlacedYet);
    await expect(failure).rejects.toMatchObject({ retriable: true, code: 'ORDER_NOT_PLACED_YET' });
    expect(await harness.db.orderFact.count({ where: { orderId: unknown.orderId } })).toBe(0);
  });

  it.each([
    '/analytics/products/top?limit=0',
    '/analytics/products/top?limit=101',
    '/analytics/products/top?limit=ten',
    '/analytics/products/top?limit=2.5',
    '/analytics/products/top?top=3',
    '/analytics/sales?bucket=day',
    '/analytics/summary?since=yesterday',
  ])('when the query is bad (%s), then it is refused with a 400 problem', async (url) => {
    const response = await app.inject({ method: 'GET', url });

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: expect.any(Array),
    });
  });
});
