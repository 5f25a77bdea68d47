import { randomUUID } from 'node:crypto';

import { createPrismaClient } from '@ecommerce/database';
import { proxyDatabase } from '@ecommerce/fault-proxy';
import type { HttpServer } from '@ecommerce/http-server';
import { buildServiceApp } from '@ecommerce/runtime';

import { PrismaClient } from '../generated/prisma/client';
import { orderService } from '../service';
import { addCatalogItem, startOrderTestHarness, type OrderTestHarness } from '../testing/order-test-harness';

describe('order HTTP API on a real database, broker and registry', () => {
  let harness: OrderTestHarness;
  let app: HttpServer;

  beforeAll(async () => {
    harness = await startOrderTestHarness();
    const { config, logger, db, events, metrics } = harness;
    app = await buildServiceApp(orderService, { config, logger, db, events, metrics });
    await addCatalogItem(harness, 'MUG-1', 1250);
    await addCatalogItem(harness, 'TEE-1', 2000);
    await addCatalogItem(harness, 'CAP-EUR', 900, 'EUR');
  });

  afterAll(async () => {
    await app?.close(); // closes the Prisma client (a dependency of the server)
    await harness?.close();
  });

  const place = (payload: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/orders', payload, headers });
  const orderCount = () => harness.db.order.count();
  const anOrder = (customerId = 'customer-1') => ({
    customerId,
    items: [
      { sku: 'MUG-1', quantity: 2 },
      { sku: 'TEE-1', quantity: 1 },
    ],
  });

  describe('POST /orders', () => {
    it('when every SKU is in the replica, then 202 with replica prices, Location, and OrderPlaced in the outbox', async () => {
      const response = await place({ ...anOrder(), paymentMethod: { token: 'tok_decline' } });

      expect(response.statusCode).toBe(202);
      const body = response.json();
      expect(body).toEqual({
        orderId: expect.any(String),
        status: 'PENDING',
        items: [
          { sku: 'MUG-1', quantity: 2, unitPriceCents: 1250 },
          { sku: 'TEE-1', quantity: 1, unitPriceCents: 2000 },
        ],
        totalCents: 4500,
        currency: 'USD',
      });
      expect(response.headers['location']).toBe(`/orders/${body.orderId}`);
      const placed = (await harness.outboxEvents('OrderPlaced')).filter((e) => e.orderId === body.orderId);
      expect(placed).toEqual([
        expect.objectContaining({
          customerId: 'customer-1',
          items: body.items,
          totalCents: 4500,
          currency: 'USD',
          paymentToken: 'tok_decline',
          causationId: null,
        }),
      ]);
      const stored = await harness.db.order.findUniqueOrThrow({ where: { id: body.orderId } });
      expect(stored.correlationId).toBe(placed[0]?.correlationId);
    });

    it('when no payment method is given, then OrderPlaced carries a null payment token', async () => {
      const { orderId } = (await place(anOrder())).json();
      const [event] = (await harness.outboxEvents('OrderPlaced')).filter((e) => e.orderId === orderId);
      expect(event?.paymentToken).toBeNull();
    });

    it('when a SKU is not in the replica, then 422 naming the unknown SKUs and no order', async () => {
      const before = await orderCount();

      const response = await place({
        customerId: 'customer-1',
        items: [
          { sku: 'MUG-1', quantity: 1 },
          { sku: 'GHOST-2', quantity: 1 },
          { sku: 'GHOST-1', quantity: 1 },
        ],
      });

      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'UNKNOWN_SKU', skus: ['GHOST-1', 'GHOST-2'] });
      expect(await orderCount()).toBe(before);
    });

    it('when the lines are priced in different currencies, then 422', async () => {
      const response = await place({
        customerId: 'customer-1',
        items: [
          { sku: 'MUG-1', quantity: 1 },
          { sku: 'CAP-EUR', quantity: 1 },
        ],
      });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ code: 'MIXED_CURRENCIES', currencies: ['EUR', 'USD'] });
    });

    it.each([
      ['an empty item list', { customerId: 'c', items: [] }, '/items'],
      ['quantity 0', { customerId: 'c', items: [{ sku: 'MUG-1', quantity: 0 }] }, '/items/0/quantity'],
      ['quantity 1001', { customerId: 'c', items: [{ sku: 'MUG-1', quantity: 1001 }] }, '/items/0/quantity'],
      [
        'a fractional quantity',
        { customerId: 'c', items: [{ sku: 'MUG-1', quantity: 1.5 }] },
        '/items/0/quantity',
      ],
      ['a bad sku', { customerId: 'c', items: [{ sku: 'MUG 1', quantity: 1 }] }, '/items/0/sku'],
      ['an empty customerId', { customerId: '', items: [{ sku: 'MUG-1', quantity: 1 }] }, '/customerId'],
      ['an unknown property', { ...anOrder(), coupon: 'FREE' }, '/coupon'],
      [
        'an unknown line property',
        { customerId: 'c', items: [{ sku: 'MUG-1', quantity: 1, priceCents: 1 }] },
        '/items/0/priceCents',
      ],
      [
        '101 lines',
        { customerId: 'c', items: Array.from({ length: 101 }, () => ({ sku: 'MUG-1', quantity: 1 })) },
        '/items',
      ],
    ])('when the body has %s, then 400 with the field error and no order', async (_case, payload, field) => {
      const before = await orderCount();

      const response = await place(payload);

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: expect.arrayContaining([expect.objectContaining({ in: 'body', field })]),
      });
      expect(await orderCount()).toBe(before);
    });

    it('when the Idempotency-Key is longer than 200 characters, then 400', async () => {
      const response = await place(anOrder(), { 'idempotency-key': 'k'.repeat(201) });
      expect(response.statusCode).toBe(400);
    });

    it('when the database refuses connections, then 503 DATABASE_UNAVAILABLE with Retry-After, and once it is back the same request places one order', async () => {
      const { proxy, url } = await proxyDatabase(harness.database.url);
      const { config, logger, events, metrics } = harness;
      const proxiedConfig = { ...config, ORDER_DATABASE_URL: url };
      const db = createPrismaClient(PrismaClient, url, proxiedConfig);
      const proxiedApp = await buildServiceApp(orderService, {
        config: proxiedConfig,
        logger,
        db,
        events,
        metrics,
      });
      try {
        const before = await orderCount();
        const request = {
          method: 'POST' as const,
          url: '/orders',
          payload: anOrder('customer-outage'),
          headers: { 'idempotency-key': randomUUID() },
        };
        await proxy.setMode({ kind: 'refuse' });

        const refused = await proxiedApp.inject(request);

        expect(refused.statusCode).toBe(503);
        expect(refused.headers['retry-after']).toBe('2');
        expect(refused.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
        expect(await orderCount()).toBe(before);

        await proxy.setMode({ kind: 'pass' });
        const placed = await proxiedApp.inject(request);
        expect(placed.statusCode).toBe(202);
        expect(await orderCount()).toBe(before + 1);
      } finally {
        await proxiedApp.close();
        await proxy.stop();
      }
    });
  });

  describe('POST /orders with an Idempotency-Key', () => {
    it('when the same key and body are sent twice, then the same answer and one order', async () => {
      const key = randomUUID();
      const customerId = `idem-${key}`;

      const first = await place(anOrder(customerId), { 'idempotency-key': key });
      // The same body with its keys in another order is the same request.
      const second = await place(
        { items: anOrder().items.map(({ quantity, sku }) => ({ quantity, sku })), customerId },
        { 'idempotency-key': key },
      );

      expect(first.statusCode).toBe(202);
      expect(second.statusCode).toBe(202);
      expect(second.json()).toEqual(first.json());
      expect(second.headers['location']).toBe(first.headers['location']);
      expect(await harness.db.order.count({ where: { customerId } })).toBe(1);
    });

    it('when the same key comes with another body, then 422 and no second order', async () => {
      const key = randomUUID();
      const customerId = `idem-${key}`;
      await place(anOrder(customerId), { 'idempotency-key': key });

      const response = await place(
        { customerId, items: [{ sku: 'MUG-1', quantity: 9 }] },
        { 'idempotency-key': key },
      );

      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await harness.db.order.count({ where: { customerId } })).toBe(1);
    });

    it('when two identical requests with one key race, then both get the same order and only one exists', async () => {
      const key = randomUUID();
      const customerId = `idem-${key}`;

      const responses = await Promise.all(
        Array.from({ length: 5 }, () => place(anOrder(customerId), { 'idempotency-key': key })),
      );

      expect(responses.map((response) => response.statusCode)).toEqual([202, 202, 202, 202, 202]);
      expect(new Set(responses.map((response) => response.json().orderId)).size).toBe(1);
      expect(await harness.db.order.count({ where: { customerId } })).toBe(1);
    });
  });

  describe('GET /orders/:id', () => {
    it('when the order exists, then its lines, totals and timeline', async () => {
      const placed = (await place(anOrder('reader'))).json();

      const response = await app.inject({ method: 'GET', url: `/orders/${placed.orderId}` });

      expect(response.statusCode).toBe(200);
      const order = response.json();
      expect(order).toEqual({
        orderId: placed.orderId,
        customerId: 'reader',
        status: 'PENDING',
        items: placed.items,
        totalCents: 4500,
        currency: 'USD',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        timeline: [{ type: 'OrderPlaced', at: order.createdAt }],
      });
      expect(order).not.toHaveProperty('cancelReason');
    });

    it('when no order has the id, then 404 problem; when the id is not a uuid, then 400', async () => {
      const unknown = await app.inject({ method: 'GET', url: `/orders/${randomUUID()}` });
      const malformed = await app.inject({ method: 'GET', url: '/orders/not-a-uuid' });

      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ code: 'ORDER_NOT_FOUND' });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json()).toMatchObject({
        errors: [expect.objectContaining({ in: 'params', field: '/id' })],
      });
    });
  });

  describe('POST /orders/:id/cancel', () => {
    it('when the order is pending, then 202 CANCELLED (CUSTOMER_REQUEST) with OrderCancelled; a second cancel is 409', async () => {
      const { orderId } = (await place(anOrder('canceller'))).json();

      const first = await app.inject({ method: 'POST', url: `/orders/${orderId}/cancel` });
      const second = await app.inject({ method: 'POST', url: `/orders/${orderId}/cancel` });

      expect(first.statusCode).toBe(202);
      expect(first.json()).toMatchObject({
        orderId,
        status: 'CANCELLED',
        cancelReason: 'CUSTOMER_REQUEST',
        timeline: [
          { type: 'OrderPlaced', at: expect.any(String) },
          { type: 'CancelRequested', at: expect.any(String) },
        ],
      });
      expect(second.statusCode).toBe(409);
      expect(second.json()).toMatchObject({ code: 'ORDER_NOT_PENDING', orderStatus: 'CANCELLED' });
      const [placed] = (await harness.outboxEvents('OrderPlaced')).filter((e) => e.orderId === orderId);
      const cancelled = (await harness.outboxEvents('OrderCancelled')).filter((e) => e.orderId === orderId);
      expect(cancelled).toEqual([
        expect.objectContaining({
          reason: 'CUSTOMER_REQUEST',
          customerId: 'canceller',
          correlationId: placed?.correlationId,
          causationId: null,
        }),
      ]);
    });

    it('when no order has the id, then 404', async () => {
      const response = await app.inject({ method: 'POST', url: `/orders/${randomUUID()}/cancel` });
      expect(response.statusCode).toBe(404);
    });
  });

  describe('GET /orders', () => {
    it('when a customer has more orders than the limit, then pages newest first until nextCursor is null', async () => {
      const customerId = `pager-${randomUUID()}`;
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push((await place(anOrder(customerId))).json().orderId);
      await app.inject({ method: 'POST', url: `/orders/${ids[0]}/cancel` });

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query = `customerId=${customerId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page: { items: { orderId: string }[]; nextCursor: string | null } = (
          await app.inject({ method: 'GET', url: `/orders?${query}` })
        ).json();
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((order) => order.orderId));
        cursor = page.nextCursor;
      } while (cursor);

      expect(seen).toEqual([...ids].reverse());
      const cancelled = (
        await app.inject({ method: 'GET', url: `/orders?customerId=${customerId}&status=CANCELLED` })
      ).json();
      expect(cancelled).toEqual({ items: [expect.objectContaining({ orderId: ids[0] })], nextCursor: null });
    });

    it('when the limit is out of range or the cursor is not one issued, then 400', async () => {
      expect((await app.inject({ method: 'GET', url: '/orders?limit=0' })).statusCode).toBe(400);
      expect((await app.inject({ method: 'GET', url: '/orders?limit=101' })).statusCode).toBe(400);
      const bad = await app.inject({ method: 'GET', url: '/orders?cursor=nonsense' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'INVALID_CURSOR' });
    });
  });
});
