import type { SqlTransactions } from '@ecommerce/database';
import type { EventOutbox } from '@ecommerce/runtime';
import { ProblemDetails, type HttpServer } from '@ecommerce/http-server';
import { Type } from '@sinclair/typebox';

import { cancelOrder } from '../application/cancel-order';
import { getOrder, getOrders } from '../application/get-orders';
import { placeOrder } from '../application/place-order';
import type { SagaMetrics } from '../application/saga-transition';
import type { OrderDatabase } from '../persistence/order-database';

const Sku = Type.String({
  pattern: '^[A-Za-z0-9._-]{1,64}$',
  description: 'letters, digits, . _ -; 1 to 64',
});
/**
 * Free text as it will be stored: no NUL (PostgreSQL text refuses it) and no lone surrogate (it has
 * no UTF-8 form, so it would be stored as U+FFFD rather than as sent).
 */
const Text = (options: { minLength: number; maxLength: number; description?: string }) =>
  Type.String({ ...options, pattern: '^[^\\u0000\\uD800-\\uDFFF]*$' });
const CustomerId = Text({ minLength: 1, maxLength: 100 });
const OrderStatus = Type.Union([
  Type.Literal('PENDING'),
  Type.Literal('CONFIRMED'),
  Type.Literal('CANCELLED'),
]);
const CancelReason = Type.Union([
  Type.Literal('OUT_OF_STOCK'),
  Type.Literal('PAYMENT_DECLINED'),
  Type.Literal('CUSTOMER_REQUEST'),
  Type.Literal('TIMEOUT'),
]);
const OrderIdParams = Type.Object(
  { id: Type.String({ format: 'uuid', description: 'the order id' }) },
  { additionalProperties: false },
);

const PricedLine = Type.Object({
  sku: Type.String(),
  quantity: Type.Integer(),
  unitPriceCents: Type.Integer({ description: 'from the catalog replica when the order was placed' }),
});
const PlacedOrder = Type.Object({
  orderId: Type.String({ format: 'uuid' }),
  status: Type.Literal('PENDING'),
  items: Type.Array(PricedLine),
  totalCents: Type.Integer(),
  currency: Type.String(),
});
const Order = Type.Object({
  orderId: Type.String({ format: 'uuid' }),
  customerId: Type.String(),
  status: OrderStatus,
  cancelReason: Type.Optional(CancelReason),
  items: Type.Array(PricedLine),
  totalCents: Type.Integer(),
  currency: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  timeline: Type.Array(Type.Object({ type: Type.String(), at: Type.String({ format: 'date-time' }) }), {
    description: 'the saga events as this service saw them, oldest first',
  }),
});
const problem = Type.Ref(ProblemDetails);

/** Orders: thin HTTP adapters over the use cases. */
export function registerOrderRoutes(
  app: HttpServer,
  deps: { db: OrderDatabase; sql: SqlTransactions; events: EventOutbox; metrics: SagaMetrics },
): void {
  const placing = { runInTransaction: deps.sql.runInTransaction, events: deps.events };
  app.post(
    '/orders',
    {
      schema: {
        summary: 'Place an order priced from the catalog replica; publishes OrderPlaced (starts the saga)',
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'the same key and body get the same answer and no second order',
            }),
          ),
        }),
        body: Type.Object(
          {
            customerId: CustomerId,
            items: Type.Array(
              Type.Object(
                { sku: Sku, quantity: Type.Integer({ minimum: 1, maximum: 1000 }) },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 100 },
            ),
            paymentMethod: Type.Optional(
              Type.Object(
                {
                  token: Text({
                    minLength: 1,
                    maxLength: 200,
                    description: 'charged by the payment service; tok_ok when absent',
                  }),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 202: PlacedOrder, 400: problem, 422: problem },
      },
    },
    async (request, reply) => {
      const placed = await placeOrder(placing, request.body, request.headers['idempotency-key']);
      return reply.code(202).header('location', `/orders/${placed.orderId}`).send(placed);
    },
  );

  app.get(
    '/orders',
    {
      schema: {
        summary: 'Orders, newest first, one page at a time',
        querystring: Type.Object(
          {
            customerId: Type.Optional(CustomerId),
            status: Type.Optional(OrderStatus),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(
              Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Order),
            nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
          }),
          400: problem,
        },
      },
    },
    (request) => getOrders(deps, request.query),
  );

  app.get(
    '/orders/:id',
    {
      schema: {
        summary: 'One order with its lines and saga timeline',
        params: OrderIdParams,
        response: { 200: Order, 400: problem, 404: problem },
      },
    },
    (request) => getOrder(deps, request.params.id),
  );

  app.post(
    '/orders/:id/cancel',
    {
      schema: {
        summary: 'Cancel a pending order (CUSTOMER_REQUEST); publishes OrderCancelled',
        params: OrderIdParams,
        response: { 202: Order, 400: problem, 404: problem, 409: problem },
      },
    },
    async (request, reply) => reply.code(202).send(await cancelOrder(deps, request.params.id)),
  );
}
