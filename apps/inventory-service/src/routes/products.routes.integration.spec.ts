import type { HttpServer } from '@ecommerce/http-server';

import { buildServiceApp } from '@ecommerce/runtime';
import { startServiceTestHarness, type ServiceTestHarnessOf } from '@ecommerce/runtime/testing';

import { inventoryService } from '../service';

describe('inventory HTTP API on a real database, broker and registry', () => {
  let harness: ServiceTestHarnessOf<typeof inventoryService>;
  let app: HttpServer;

  beforeAll(async () => {
    harness = await startServiceTestHarness(inventoryService);
    await harness.record(['catalog']);
    const { config, logger, db, events } = harness;
    app = await buildServiceApp(inventoryService, { config, logger, db, events });
  });

  afterAll(async () => {
    await app?.close(); // closes the Prisma client (a dependency of the server)
    await harness?.close();
  });

  const put = (sku: string, payload: object) =>
    app.inject({ method: 'PUT', url: `/products/${sku}`, payload });
  const adjust = (sku: string, payload: object) =>
    app.inject({ method: 'POST', url: `/products/${sku}/stock`, payload });

  it('when a product is put for the first time, then it is created (201) and ProductUpserted reaches the catalog', async () => {
    const response = await put('MUG-1', { name: 'Mug', priceCents: 1250 });

    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      sku: 'MUG-1',
      name: 'Mug',
      priceCents: 1250,
      currency: 'USD',
      onHand: 0,
      reserved: 0,
      available: 0,
    });
    const event = await harness.waitForEvent('ProductUpserted', (e) => e.sku === 'MUG-1');
    expect(event).toMatchObject({
      key: 'MUG-1',
      payload: { sku: 'MUG-1', name: 'Mug', priceCents: 1250, currency: 'USD', causationId: null },
    });
  });

  it('when a product is put again, then it is updated (200), its stock untouched, and announced again', async () => {
    await put('TEE-1', { name: 'Tee', priceCents: 2000 });
    await adjust('TEE-1', { quantity: 5 });

    const response = await put('TEE-1', { name: 'Tee, organic', priceCents: 2499, currency: 'EUR' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: 'Tee, organic',
      priceCents: 2499,
      currency: 'EUR',
      onHand: 5,
    });
    await harness.waitForEvent('ProductUpserted', (e) => e.sku === 'TEE-1' && e.priceCents === 2499);
    const read = await app.inject({ method: 'GET', url: '/products/TEE-1' });
    expect(read.json()).toEqual(response.json());
  });

  it('when a product is put many times at once, then each ProductUpserted carries the next version, and the highest carries the price that stayed', async () => {
    const prices = Array.from({ length: 8 }, (_, index) => 1000 + index);
    await put('VASE-1', { name: 'Vase', priceCents: 999 });

    // Concurrent PUTs: they queue on the product's row lock, each counting the version up once.
    const answers = await Promise.all(
      prices.map((priceCents) => put('VASE-1', { name: 'Vase', priceCents })),
    );

    expect(answers.map((answer) => answer.statusCode)).toEqual(prices.map(() => 200));
    const announced = (await harness.outboxEvents('ProductUpserted')).filter((e) => e.sku === 'VASE-1');
    expect(announced.map((e) => e.version).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    const latest = announced.find((e) => e.version === 9);
    const stored = (await app.inject({ method: 'GET', url: '/products/VASE-1' })).json<{
      priceCents: number;
    }>();
    expect(latest?.priceCents).toBe(stored.priceCents);
  });

  it('when stock is adjusted, then the levels change and StockAdjusted reaches the catalog', async () => {
    await put('CAP-1', { name: 'Cap', priceCents: 900 });

    const restock = await adjust('CAP-1', { quantity: 10, reason: 'delivery 42' });
    const shrink = await adjust('CAP-1', { quantity: -3 });

    expect(restock.statusCode).toBe(200);
    expect(shrink.json()).toEqual({ sku: 'CAP-1', onHand: 7, reserved: 0, available: 7 });
    const event = await harness.waitForEvent('StockAdjusted', (e) => e.sku === 'CAP-1' && e.delta === 10);
    expect(event.payload).toMatchObject({ onHand: 10, reserved: 0, reason: 'delivery 42' });
  });

  it('when a delta would take onHand below reserved, then 409 and nothing changes', async () => {
    await put('BAG-1', { name: 'Bag', priceCents: 3000 });
    await adjust('BAG-1', { quantity: 5 });
    await harness.db.product.update({ where: { sku: 'BAG-1' }, data: { reserved: 4 } });

    const response = await adjust('BAG-1', { quantity: -2 });

    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 409, code: 'STOCK_BELOW_RESERVED', sku: 'BAG-1' });
    expect((await app.inject({ method: 'GET', url: '/products/BAG-1' })).json()).toMatchObject({
      onHand: 5,
      reserved: 4,
      available: 1,
    });
  });

  it('when the SKU is unknown, then 404 problem for stock and reads', async () => {
    const adjusted = await adjust('NOPE-1', { quantity: 1 });
    const read = await app.inject({ method: 'GET', url: '/products/NOPE-1' });

    for (const response of [adjusted, read]) {
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'UNKNOWN_SKU', sku: 'NOPE-1' });
    }
  });

  it.each([
    ['no name', 'PUT', 'BAD-1', { priceCents: 100 }, '/name'],
    ['an empty name', 'PUT', 'BAD-1', { name: '', priceCents: 100 }, '/name'],
    ['a fractional price', 'PUT', 'BAD-1', { name: 'x', priceCents: 1.5 }, '/priceCents'],
    ['a negative price', 'PUT', 'BAD-1', { name: 'x', priceCents: -1 }, '/priceCents'],
    ['a price as text', 'PUT', 'BAD-1', { name: 'x', priceCents: '100' }, '/priceCents'],
    ['a lower-case currency', 'PUT', 'BAD-1', { name: 'x', priceCents: 1, currency: 'usd' }, '/currency'],
    ['an unknown property', 'PUT', 'BAD-1', { name: 'x', priceCents: 1, colour: 'red' }, '/colour'],
    ['a zero delta', 'POST', 'CAP-1', { quantity: 0 }, '/quantity'],
    ['a delta out of range', 'POST', 'CAP-1', { quantity: 1_000_001 }, '/quantity'],
    ['a fractional delta', 'POST', 'CAP-1', { quantity: 0.5 }, '/quantity'],
  ])(
    'when the body has %s, then 400 with the field and no change',
    async (_, method, sku, payload, field) => {
      const before = await harness.db.product.findMany({ orderBy: { sku: 'asc' } });

      const response = await app.inject({
        method: method as 'PUT' | 'POST',
        url: method === 'PUT' ? `/products/${sku}` : `/products/${sku}/stock`,
        payload,
      });

      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: expect.arrayContaining([expect.objectContaining({ in: 'body', field })]),
      });
      expect(await harness.db.product.findMany({ orderBy: { sku: 'asc' } })).toEqual(before);
    },
  );

  it('when the SKU in the path breaks its pattern, then 400 on the param', async () => {
    const response = await put('bad%20sku', { name: 'x', priceCents: 1 });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      errors: [expect.objectContaining({ in: 'params', field: '/sku' })],
    });
  });

  it('lists the catalog by SKU with stock levels', async () => {
    const response = await app.inject({ method: 'GET', url: '/products' });
    const skus = (response.json() as { sku: string }[]).map((product) => product.sku);
    expect(skus).toEqual([...skus].sort());
    expect(response.json()).toContainEqual(
      expect.objectContaining({ sku: 'CAP-1', onHand: 7, available: 7 }),
    );
  });
});
