import { ProblemDetails, type HttpServer } from '@ecommerce/http-server';
import { Type } from '@sinclair/typebox';

import { getSales, getSummary, getTopProducts } from '../application/get-analytics';
import type { AnalyticsDatabase } from '../persistence/analytics-database';
import type { SalesBucket } from '../persistence/analytics-queries';

const Count = Type.Integer({ minimum: 0 });
const Cents = Type.Integer({ description: 'minor units' });

const Summary = Type.Object({
  ordersPlaced: Count,
  ordersConfirmed: Count,
  ordersCancelled: Count,
  cancelReasons: Type.Record(Type.String(), Count, { description: 'cancelled orders per reason' }),
  revenueCents: Type.Integer({ minimum: 0, description: 'sum of confirmed orders' }),
  averageOrderCents: Type.Integer({
    minimum: 0,
    description: 'mean confirmed order, rounded half up; 0 when none',
  }),
});
const ProductSales = Type.Object({ sku: Type.String(), unitsSold: Count, revenueCents: Cents });
const SalesPoint = Type.Object({
  bucketStart: Type.String({ format: 'date-time', description: 'start of the UTC minute or hour' }),
  orders: Count,
  revenueCents: Cents,
});
const Bucket = Type.Unsafe<SalesBucket>(
  Type.String({ enum: ['minute', 'hour'], description: 'size of a bucket; hour by default' }),
);
const problem = Type.Ref(ProblemDetails);

/** Read-only answers over the order facts: thin HTTP adapters over the queries. */
export function registerAnalyticsRoutes(app: HttpServer, deps: { db: AnalyticsDatabase }): void {
  app.get(
    '/analytics/summary',
    {
      schema: {
        summary:
          'Orders placed, confirmed and cancelled (by reason); revenue and average of confirmed orders',
        querystring: Type.Object({}, { additionalProperties: false }),
        response: { 200: Summary, 400: problem },
      },
    },
    () => getSummary(deps),
  );

  app.get(
    '/analytics/products/top',
    {
      schema: {
        summary: 'Best-selling SKUs over confirmed orders, by units sold then SKU',
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: '10 by default' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(ProductSales), 400: problem },
      },
    },
    (request) => getTopProducts(deps, request.query.limit ?? 10),
  );

  app.get(
    '/analytics/sales',
    {
      schema: {
        summary: 'Confirmed orders and revenue per minute or hour of confirmation, oldest first',
        querystring: Type.Object({ bucket: Type.Optional(Bucket) }, { additionalProperties: false }),
        response: { 200: Type.Array(SalesPoint), 400: problem },
      },
    },
    (request) => getSales(deps, request.query.bucket ?? 'hour'),
  );
}
