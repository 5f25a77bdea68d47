import type { HttpServer } from '@ecommerce/http-server';
import { Type } from '@sinclair/typebox';

import type { LiveUpdates } from '../live/live-updates';
import type { OrderServiceClient } from '../order-service-client';
import type { ConsoleViews } from '../console-views';
import { CONSOLE_SCRIPT, CONSOLE_STYLE } from '../views/assets';

const OrderId = Type.String({ format: 'uuid', description: 'the order id' });
const hidden = { hide: true };

/**
 * The console's pages: plain HTML with forms, sections replaced live over server-sent events
 * (`/live`), and the two user actions, which go to order-service's REST API and come back to the
 * order's page (303, so a reload does not repeat them).
 */
export function registerConsoleRoutes(
  app: HttpServer,
  deps: { views: ConsoleViews; live: LiveUpdates; orders: OrderServiceClient },
): void {
  const { views, live, orders } = deps;
  // HTML forms post url-encoded fields; they are validated by the route's schema like JSON.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.get('/', { schema: hidden }, (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(views.homePage()),
  );

  app.get(
    '/orders/:orderId',
    { schema: { ...hidden, params: Type.Object({ orderId: OrderId }) } },
    (request, reply) => reply.type('text/html; charset=utf-8').send(views.orderPage(request.params.orderId)),
  );

  app.post(
    '/orders',
    {
      schema: {
        ...hidden,
        body: Type.Object({
          customerId: Type.String({ minLength: 1, maxLength: 64 }),
          sku: Type.String({ minLength: 1, maxLength: 64 }),
          quantity: Type.String({ pattern: '^[1-9][0-9]{0,3}$' }),
          paymentToken: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        }),
      },
    },
    async (request, reply) => {
      const { customerId, sku, quantity, paymentToken = 'tok_ok' } = request.body;
      const result = await orders.placeOrder({ customerId, sku, quantity: Number(quantity), paymentToken });
      if (result.ok) return reply.redirect(`/orders/${result.orderId}`, 303);
      return reply
        .code(result.status)
        .type('text/html; charset=utf-8')
        .send(views.homePage({ text: `Not placed: ${result.message}`, error: true }));
    },
  );

  app.post(
    '/orders/:orderId/cancel',
    { schema: { ...hidden, params: Type.Object({ orderId: OrderId }) } },
    async (request, reply) => {
      const { orderId } = request.params;
      const result = await orders.cancelOrder(orderId);
      if (result.ok) return reply.redirect(`/orders/${orderId}`, 303);
      return reply
        .code(result.status)
        .type('text/html; charset=utf-8')
        .send(views.orderPage(orderId, { text: `Not cancelled: ${result.message}`, error: true }));
    },
  );

  app.get(
    '/live',
    { schema: { ...hidden, querystring: Type.Object({ order: Type.Optional(OrderId) }) } },
    (request, reply) => {
      reply.hijack();
      live.subscribe(reply.raw, request.query.order);
    },
  );

  app.get('/console.js', { schema: hidden }, (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(CONSOLE_SCRIPT),
  );
  app.get('/console.css', { schema: hidden }, (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(CONSOLE_STYLE),
  );
}
