import { ProblemDetails, type HttpServer } from '@ecommerce/http-server';
import { Type } from '@sinclair/typebox';

import { adjustStock } from '../application/adjust-stock';
import type { EventOutbox } from '@ecommerce/runtime';
import { getProduct, getProducts } from '../application/get-products';
import { upsertProduct } from '../application/upsert-product';
import type { InventoryDatabase } from '../persistence/inventory-database';

const Sku = Type.String({
  pattern: '^[A-Za-z0-9._-]{1,64}$',
  description: 'letters, digits, . _ -; 1 to 64',
});
/**
 * Free text as it will be stored: no NUL (PostgreSQL text refuses it) and no lone surrogate (it has
 * no UTF-8 form, so it would be stored as U+FFFD rather than as sent).
 */
const Text = (limits: { minLength: number; maxLength: number }) =>
  Type.String({ ...limits, pattern: '^[^\\u0000\\uD800-\\uDFFF]*$' });
const SkuParams = Type.Object({ sku: Sku }, { additionalProperties: false });
const Cents = Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'minor units' });
const Quantity = Type.Integer({
  minimum: -1_000_000,
  maximum: 1_000_000,
  not: { const: 0 },
  description: 'signed change of onHand, never 0',
});

const StockLevel = Type.Object({
  sku: Type.String(),
  onHand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer({ description: 'onHand - reserved: what new orders may take' }),
});
const Product = Type.Composite([
  Type.Object({
    sku: Type.String(),
    name: Type.String(),
    priceCents: Type.Integer(),
    currency: Type.String(),
  }),
  Type.Omit(StockLevel, ['sku']),
]);
const problem = Type.Ref(ProblemDetails);

/** The catalog and its stock: thin HTTP adapters over the use cases. */
export function registerProductRoutes(
  app: HttpServer,
  deps: { db: InventoryDatabase; events: EventOutbox },
): void {
  app.put(
    '/products/:sku',
    {
      schema: {
        summary: 'Create or replace a product (name, price); publishes ProductUpserted',
        params: SkuParams,
        body: Type.Object(
          {
            name: Text({ minLength: 1, maxLength: 200 }),
            priceCents: Cents,
            currency: Type.Optional(
              Type.String({ pattern: '^[A-Z]{3}$', default: 'USD', description: 'ISO 4217' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Product, 201: Product, 400: problem },
      },
    },
    async (request, reply) => {
      const { name, priceCents, currency = 'USD' } = request.body;
      const { created, product } = await upsertProduct(deps, request.params.sku, {
        name,
        priceCents,
        currency,
      });
      return reply.code(created ? 201 : 200).send(product);
    },
  );

  app.post(
    '/products/:sku/stock',
    {
      schema: {
        summary: 'Change a product’s stock on hand by a signed delta; publishes StockAdjusted',
        params: SkuParams,
        body: Type.Object(
          {
            quantity: Quantity,
            reason: Type.Optional(Text({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: StockLevel, 400: problem, 404: problem, 409: problem },
      },
    },
    (request) =>
      adjustStock(deps, request.params.sku, {
        quantity: request.body.quantity,
        reason: request.body.reason ?? null,
      }),
  );

  app.get(
    '/products',
    { schema: { summary: 'The catalog with stock levels, by SKU', response: { 200: Type.Array(Product) } } },
    () => getProducts(deps),
  );

  app.get(
    '/products/:sku',
    {
      schema: {
        summary: 'One product with its stock levels',
        params: SkuParams,
        response: { 200: Product, 400: problem, 404: problem },
      },
    },
    (request) => getProduct(deps, request.params.sku),
  );
}
