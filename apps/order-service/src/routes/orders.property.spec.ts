import { randomUUID } from 'node:crypto';

import type { HttpServer } from '@ecommerce/http-server';
import {
  assertAnsweredCleanly,
  createPgTransactions,
  databaseFingerprint,
  hostileBody,
  hostileHeaderValue,
  hostileQuery,
  hostileSegment,
  propertyTestParameters,
  type PgTransactions,
  type RawBody,
} from '@ecommerce/test-infra';
import fc from 'fast-check';
import { buildServiceApp } from '@ecommerce/runtime';

import { orderService } from '../service';
import { addCatalogItem, startOrderTestHarness, type OrderTestHarness } from '../testing/order-test-harness';

describe('order HTTP API under hostile input (property-based, real database, broker and registry)', () => {
  let harness: OrderTestHarness;
  let app: HttpServer;
  let db: PgTransactions;
  let pendingOrderId: string;

  beforeAll(async () => {
    harness = await startOrderTestHarness();
    const { config, logger, db: prisma, events, metrics } = harness;
    app = await buildServiceApp(orderService, { config, logger, db: prisma, events, metrics });
    db = createPgTransactions(harness.database.url);
    await addCatalogItem(harness, 'MUG-1', 1250);
    await addCatalogItem(harness, 'TEE-1', 2000);
    const placed = await app.inject({ method: 'POST', url: '/orders', payload: anOrder });
    expect(placed.statusCode).toBe(202);
    pendingOrderId = placed.json<{ orderId: string }>().orderId;
  });

  afterAll(async () => {
    await db?.close();
    await app?.close(); // closes the Prisma client (a dependency of the server)
    await harness?.close();
  });

  const anOrder = {
    customerId: 'customer-1',
    items: [
      { sku: 'MUG-1', quantity: 2 },
      { sku: 'TEE-1', quantity: 1 },
    ],
    paymentMethod: { token: 'tok_ok' },
  };
  const aListing = { customerId: 'customer-1', status: 'PENDING', limit: '10' };
  const state = () => databaseFingerprint(db, { ignoring: ['published_at'] });
  const place = (body: RawBody, idempotencyKey?: string) =>
    assertAnsweredCleanly(
      () =>
        app.inject({
          method: 'POST',
          url: '/orders',
          payload: body.payload,
          headers: {
            'content-type': body.contentType,
            ...(idempotencyKey !== undefined && { 'idempotency-key': idempotencyKey }),
          },
        }),
      state,
    );
  const read = (url: string) =>
    assertAnsweredCleanly(() => app.inject({ method: 'GET', url }), state, { readOnly: true });

  it('POST /orders: any body gets a success or a clear 4xx, and a refused one changes nothing', () =>
    fc.assert(
      fc.asyncProperty(hostileBody(anOrder), async (body) => {
        await place(body);
      }),
      {
        ...propertyTestParameters(),
        examples: [
          // Were a 500: PostgreSQL text refuses NUL.
          [
            {
              payload: JSON.stringify({ ...anOrder, customerId: 'customer\u0000' }),
              contentType: 'application/json',
            },
          ],
        ],
      },
    ));

  it('POST /orders with any Idempotency-Key: a success or a clear 4xx; the same key and body twice, one order', () =>
    fc.assert(
      fc.asyncProperty(hostileHeaderValue, async (key) => {
        const body = {
          payload: JSON.stringify({ ...anOrder, customerId: randomUUID() }),
          contentType: 'application/json',
        };
        const first = await place(body, key);
        const again = await place(body, key);
        expect(again.statusCode).toBe(first.statusCode);
        if (first.statusCode === 202) expect(again.json()).toEqual(first.json());
      }),
      propertyTestParameters(),
    ));

  it('GET /orders with any query: a success or a clear 4xx, and nothing changes', () =>
    fc.assert(
      fc.asyncProperty(hostileQuery(aListing), async (query) => {
        await read(`/orders?${query}`);
      }),
      {
        ...propertyTestParameters(),
        examples: [
          // Were a 500: PostgreSQL text refuses NUL.
          ['customerId=%00'],
          // Was a 500: a cursor naming a time before PostgreSQL's earliest timestamp.
          [
            `cursor=${Buffer.from(JSON.stringify(['-271821-04-20T00:00:00.000Z', randomUUID()])).toString('base64url')}`,
          ],
        ],
      },
    ));

  it('GET /orders/:id and POST /orders/:id/cancel with any id: a success or a clear 4xx; a refused cancel changes nothing', () =>
    fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.oneof(hostileSegment, fc.constant(randomUUID())),
        async (cancel, id) => {
          if (cancel) {
            await assertAnsweredCleanly(
              () => app.inject({ method: 'POST', url: `/orders/${id}/cancel` }),
              state,
            );
          } else {
            await read(`/orders/${id}`);
          }
        },
      ),
      propertyTestParameters(),
    ));

  it('POST /orders/:id/cancel with any body or content type: the pending order is cancelled once, a clear 4xx after', () =>
    fc.assert(
      fc.asyncProperty(hostileBody({}), async (body) => {
        const response = await assertAnsweredCleanly(
          () =>
            app.inject({
              method: 'POST',
              url: `/orders/${pendingOrderId}/cancel`,
              payload: body.payload,
              headers: { 'content-type': body.contentType },
            }),
          state,
        );
        expect([202, 400, 409, 413, 415]).toContain(response.statusCode);
      }),
      propertyTestParameters(),
    ));
});
