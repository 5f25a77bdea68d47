import type { HttpServer } from '@ecommerce/http-server';
import {
  assertAnsweredCleanly,
  createPgTransactions,
  databaseFingerprint,
  hostileBody,
  hostileQuery,
  hostileSegment,
  propertyTestParameters,
  type PgTransactions,
  type RawBody,
} from '@ecommerce/test-infra';
import fc from 'fast-check';

import { buildServiceApp } from '@ecommerce/runtime';
import { startServiceTestHarness, type ServiceTestHarnessOf } from '@ecommerce/runtime/testing';

import { inventoryService } from '../service';

describe('inventory HTTP API under hostile input (property-based, real database, broker and registry)', () => {
  let harness: ServiceTestHarnessOf<typeof inventoryService>;
  let app: HttpServer;
  let db: PgTransactions;

  beforeAll(async () => {
    harness = await startServiceTestHarness(inventoryService);
    const { config, logger, db: prisma, events } = harness;
    app = await buildServiceApp(inventoryService, { config, logger, db: prisma, events });
    db = createPgTransactions(harness.database.url);
    const created = await app.inject({ method: 'PUT', url: '/products/MUG-1', payload: aProduct });
    expect(created.statusCode).toBe(201);
    await app.inject({ method: 'POST', url: '/products/MUG-1/stock', payload: { quantity: 10 } });
  });

  afterAll(async () => {
    await db?.close();
    await app?.close(); // closes the Prisma client (a dependency of the server)
    await harness?.close();
  });

  const aProduct = { name: 'Mug', priceCents: 1250, currency: 'USD' };
  const anAdjustment = { quantity: -3, reason: 'breakage' };
  const state = () => databaseFingerprint(db, { ignoring: ['published_at'] });
  const send = (method: 'PUT' | 'POST', url: string, body: RawBody) =>
    assertAnsweredCleanly(
      () => app.inject({ method, url, payload: body.payload, headers: { 'content-type': body.contentType } }),
      state,
    );
  const read = (url: string) =>
    assertAnsweredCleanly(() => app.inject({ method: 'GET', url }), state, { readOnly: true });
  const validBody = (body: object): RawBody => ({
    payload: JSON.stringify(body),
    contentType: 'application/json',
  });

  it('PUT /products/:sku: any body gets a success or a clear 4xx, a refused one changes nothing, an accepted one is stored as sent', () =>
    fc.assert(
      fc.asyncProperty(hostileBody(aProduct), async (body) => {
        const response = await send('PUT', '/products/MUG-1', body);
        if (response.statusCode >= 400) return;
        const { name, priceCents } = JSON.parse(body.payload) as typeof aProduct;
        const stored = await app.inject({ method: 'GET', url: '/products/MUG-1' });
        // `+ 0`: a client's -0 is the price 0, which is what comes back.
        expect(stored.json()).toMatchObject({ name, priceCents: priceCents + 0 });
      }),
      {
        ...propertyTestParameters(),
        examples: [
          // Were a 500: PostgreSQL text refuses NUL.
          [validBody({ ...aProduct, name: 'Mug\u0000' })],
          // Was stored as "Mug\ufffd": a lone surrogate has no UTF-8 form.
          [validBody({ ...aProduct, name: 'Mug\ud800' })],
        ],
      },
    ));

  it('POST /products/:sku/stock: any body gets a success or a clear 4xx, and a refused one changes nothing', () =>
    fc.assert(
      fc.asyncProperty(hostileBody(anAdjustment), async (body) => {
        await send('POST', '/products/MUG-1/stock', body);
      }),
      propertyTestParameters(),
    ));

  it('PUT and POST /products/:sku/stock with any SKU in the path: a success or a clear 4xx, a refusal changes nothing', () =>
    fc.assert(
      fc.asyncProperty(fc.boolean(), hostileSegment, async (put, sku) => {
        if (put) await send('PUT', `/products/${sku}`, validBody(aProduct));
        else await send('POST', `/products/${sku}/stock`, validBody(anAdjustment));
      }),
      {
        ...propertyTestParameters(),
        // Were answered as plain JSON, not problems: Fastify's router refuses them before any route.
        examples: [
          [false, 'x'.repeat(101)],
          [true, '%E0%A4%A'],
        ],
      },
    ));

  it('GET /products and /products/:sku with any path and query: a success or a clear 4xx, and nothing changes', () =>
    fc.assert(
      fc.asyncProperty(fc.option(hostileSegment), hostileQuery({}), async (sku, query) => {
        await read(`/products${sku === null ? '' : `/${sku}`}?${query}`);
      }),
      propertyTestParameters(),
    ));
});
