import type { HttpServer } from '@ecommerce/http-server';
import { Type } from '@sinclair/typebox';

import type { PrismaClient } from '../generated/prisma/client';

const NotificationView = Type.Object({
  notificationId: Type.String({ format: 'uuid' }),
  orderId: Type.String({ format: 'uuid' }),
  customerId: Type.String(),
  template: Type.String(),
  channel: Type.String(),
  status: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

const ListQuery = Type.Object(
  {
    orderId: Type.Optional(Type.String({ format: 'uuid' })),
    // No NUL, which PostgreSQL text refuses, nor a lone surrogate, which no stored id contains.
    customerId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000\\uD800-\\uDFFF]*$' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * `GET /notifications?orderId=&customerId=`: newest first, at most 100. A notification claimed for
 * sending but not sent yet (`pending`) is not listed: the customer has not been notified.
 */
export function notificationRoutes(app: HttpServer, prisma: PrismaClient): void {
  app.get(
    '/notifications',
    { schema: { querystring: ListQuery, response: { 200: Type.Array(NotificationView) } } },
    async (request) => {
      const rows = await prisma.notification.findMany({
        where: {
          orderId: request.query.orderId,
          customerId: request.query.customerId,
          status: { not: 'pending' },
        },
        orderBy: { createdAt: 'desc' },
        take: 100,
      });
      return rows.map((row) => ({
        notificationId: row.id,
        orderId: row.orderId,
        customerId: row.customerId,
        template: row.template,
        channel: row.channel,
        status: row.status,
        createdAt: row.createdAt.toISOString(),
      }));
    },
  );
}
