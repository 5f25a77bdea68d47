import { ProblemDetails, type HttpServer } from '@ecommerce/http-server';
import { Type } from '@sinclair/typebox';

import { paymentsOfOrder, type PaymentDb } from '../persistence/payments.repository';

const Payment = Type.Object({
  paymentId: Type.String({ format: 'uuid' }),
  orderId: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('AUTHORIZED'), Type.Literal('FAILED'), Type.Literal('REFUNDED')]),
  amountCents: Type.Integer({ minimum: 0 }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  reason: Type.Optional(
    Type.String({ description: 'why the payment failed: CARD_DECLINED or AMOUNT_LIMIT' }),
  ),
});

/** `GET /payments?orderId=`: every payment of one order, oldest first; [] for an order without any. */
export function registerPaymentRoutes(app: HttpServer, db: PaymentDb): void {
  app.get(
    '/payments',
    {
      schema: {
        summary: 'Payments of an order',
        querystring: Type.Object(
          { orderId: Type.String({ format: 'uuid' }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Payment), 400: Type.Ref(ProblemDetails) },
      },
    },
    async (request) => {
      const payments = await paymentsOfOrder(db, request.query.orderId);
      return payments.map(({ reason, ...payment }) => (reason === null ? payment : { ...payment, reason }));
    },
  );
}
