import { randomUUID } from 'node:crypto';
import type { OrderPlaced, StockReserved } from '@ecommerce/contracts';
import type { EventBackbone } from '@ecommerce/runtime';
import { startServiceTestHarness, type ServiceTestHarnessOf } from '@ecommerce/runtime/testing';

import { SimulatedPaymentGateway } from '../gateway/simulated-payment-gateway';
import type { PaymentDb } from '../persistence/payments.repository';
import { paymentService } from '../service';
import { orderCancelled, orderPlaced, stockReserved } from '../testing/payment-events';
import { authorizeOrderPayment } from './authorize-order-payment';
import { OrderNotYetKnownError } from './order-not-yet-known.error';
import { recordOrderPlaced } from './record-order-placed';
import { refundCancelledOrder } from './refund-cancelled-order';

describe('payment use cases on a migrated PostgreSQL database', () => {
  let payment: ServiceTestHarnessOf<typeof paymentService>;
  let prisma: ServiceTestHarnessOf<typeof paymentService>['db'];
  let backbone: EventBackbone;
  const gateway = new SimulatedPaymentGateway();
  /** Keeps the warnings the use cases log, the rest is dropped. */
  const warnings: object[] = [];
  const logger = {
    info: () => undefined,
    debug: () => undefined,
    error: () => undefined,
    warn: (context: object) => void warnings.push(context),
  };

  const inTransaction = <T>(work: (tx: PaymentDb) => Promise<T>): Promise<T> => prisma.$transaction(work);
  const place = (event: OrderPlaced) => inTransaction((tx) => recordOrderPlaced(tx, event));
  /** Claims the attempt in a transaction and asks the gateway; the returned step records the answer. */
  const askGateway = async (event: StockReserved) => {
    const authorize = authorizeOrderPayment({ events: backbone, gateway, logger });
    return authorize.perform(await inTransaction((tx) => authorize.claim(event, tx)), event);
  };
  /** StockReserved as the consumer applies it: the gateway asked outside, the answer recorded inside. */
  const reserve = async (placed: OrderPlaced, event = stockReserved(placed)) =>
    inTransaction(await askGateway(event));
  const cancel = (placed: OrderPlaced, event = orderCancelled(placed)) =>
    inTransaction((tx) => refundCancelledOrder({ events: backbone }, tx, event));

  const paymentsOf = (orderId: string) =>
    prisma.payment.findMany({
      where: { orderId },
      select: { status: true, reason: true, amountCents: true },
    });

  /** The events announced for an order, decoded from the outbox, in the order they were written. */
  async function announced(orderId: string) {
    const rows = await prisma.outboxMessage.findMany({
      where: { messageKey: orderId },
      orderBy: { id: 'asc' },
    });
    return Promise.all(
      rows.map(async (row) => ({
        topic: row.topic,
        ...(await backbone.codec.decode(Buffer.from(row.payload))),
      })),
    );
  }

  beforeAll(async () => {
    payment = await startServiceTestHarness(paymentService, { settings: { KAFKA_TOPIC_PARTITIONS: '1' } });
    ({ db: prisma, events: backbone } = payment);
  });

  afterAll(async () => {
    await payment?.close();
  });

  it('when OrderPlaced then StockReserved, then the payment is AUTHORIZED and PaymentAuthorized is in the outbox', async () => {
    const placed = orderPlaced({ totalCents: 4999, currency: 'EUR' });
    const reserved = stockReserved(placed);
    await place(placed);
    const result = await reserve(placed, reserved);

    expect(result).toMatchObject({ outcome: 'AUTHORIZED' });
    expect(await paymentsOf(placed.orderId)).toEqual([
      { status: 'AUTHORIZED', reason: null, amountCents: 4999n },
    ]);
    const [event, ...others] = await announced(placed.orderId);
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      topic: `${backbone.topicPrefix}payments`,
      type: 'PaymentAuthorized',
      payload: {
        orderId: placed.orderId,
        amountCents: 4999,
        currency: 'EUR',
        correlationId: placed.correlationId,
        causationId: reserved.eventId,
      },
    });
    const payload = event?.payload as { eventId: string; paymentId: string; occurredAt: number };
    expect(payload.eventId).not.toBe(reserved.eventId);
    expect(payload.occurredAt).toBeGreaterThanOrEqual(reserved.occurredAt);
    expect(result.outcome !== 'skipped' && result.payment.paymentId).toBe(payload.paymentId);
    // The payment's id is the gateway idempotency key it was charged under, once.
    expect(await prisma.paymentAttempt.findUnique({ where: { orderId: placed.orderId } })).toMatchObject({
      id: payload.paymentId,
      claims: 1,
    });
    expect(gateway.chargesOf(placed.orderId)).toBe(1);
  });

  it('when the process stops between the gateway answer and its record, then the retry asks again under the same key, is charged once, warned about, and recorded once', async () => {
    const placed = orderPlaced();
    const reserved = stockReserved(placed);
    await place(placed);

    await askGateway(reserved); // answered, then "crashed": the record step never runs
    expect(await paymentsOf(placed.orderId)).toEqual([]); // an attempt in flight is not a payment

    const result = await reserve(placed, reserved);
    expect(result).toMatchObject({ outcome: 'AUTHORIZED' });
    expect(gateway.chargesOf(placed.orderId)).toBe(1);
    expect(await prisma.paymentAttempt.findUnique({ where: { orderId: placed.orderId } })).toMatchObject({
      claims: 2,
    });
    expect(warnings).toContainEqual(expect.objectContaining({ orderId: placed.orderId, claims: 2 }));
    expect(await paymentsOf(placed.orderId)).toEqual([
      { status: 'AUTHORIZED', reason: null, amountCents: 2500n },
    ]);
    expect((await announced(placed.orderId)).map((e) => e.type)).toEqual(['PaymentAuthorized']);
  });

  it('when two deliveries of StockReserved both get the gateway answer, then the second record is skipped: one payment, one event', async () => {
    const placed = orderPlaced();
    const reserved = stockReserved(placed);
    await place(placed);

    // Both claimed the attempt and asked the gateway (the first's record was not committed yet).
    const first = await askGateway(reserved);
    const second = await askGateway(reserved);
    expect(await inTransaction(first)).toMatchObject({ outcome: 'AUTHORIZED' });
    expect(await inTransaction(second)).toEqual({
      outcome: 'skipped',
      reason: 'the gateway answer was recorded already',
    });
    expect(await paymentsOf(placed.orderId)).toEqual([
      { status: 'AUTHORIZED', reason: null, amountCents: 2500n },
    ]);
    expect((await announced(placed.orderId)).map((e) => e.type)).toEqual(['PaymentAuthorized']);
    expect(gateway.chargesOf(placed.orderId)).toBe(1);
  });

  it('when OrderCancelled is applied while the gateway is being asked, then the authorization that lands is recorded and refunded at once', async () => {
    const placed = orderPlaced();
    const reserved = stockReserved(placed);
    const cancelled = orderCancelled(placed);
    await place(placed);

    const record = await askGateway(reserved); // the gateway has authorized; not recorded yet
    await expect(cancel(placed, cancelled)).resolves.toEqual({ outcome: 'cancelled', refunded: [] });
    await expect(inTransaction(record)).resolves.toMatchObject({ outcome: 'REFUNDED' });

    expect(await paymentsOf(placed.orderId)).toEqual([
      { status: 'REFUNDED', reason: null, amountCents: 2500n },
    ]);
    const events = await announced(placed.orderId);
    expect(events.map((e) => e.type)).toEqual(['PaymentAuthorized', 'PaymentRefunded']);
    const [authorized, refunded] = events.map((e) => e.payload as { eventId: string; paymentId: string });
    expect(refunded?.paymentId).toBe(authorized?.paymentId);
    expect(refunded?.eventId).not.toBe(authorized?.eventId);
  });

  it('when the token is tok_decline, then the payment FAILED with CARD_DECLINED and PaymentFailed is announced', async () => {
    const placed = orderPlaced({ paymentToken: 'tok_decline' });
    await place(placed);
    await reserve(placed);

    expect(await paymentsOf(placed.orderId)).toEqual([
      { status: 'FAILED', reason: 'CARD_DECLINED', amountCents: 2500n },
    ]);
    expect(await announced(placed.orderId)).toMatchObject([
      { type: 'PaymentFailed', payload: { reason: 'CARD_DECLINED', amountCents: 2500 } },
    ]);
  });

  it('when the amount is 1,000,001 cents, then the payment FAILED with AMOUNT_LIMIT', async () => {
    const placed = orderPlaced({ totalCents: 1_000_001 });
    await place(placed);
    await reserve(placed);

    expect(await paymentsOf(placed.orderId)).toEqual([
      { status: 'FAILED', reason: 'AMOUNT_LIMIT', amountCents: 1_000_001n },
    ]);
    expect(await announced(placed.orderId)).toMatchObject([
      { type: 'PaymentFailed', payload: { reason: 'AMOUNT_LIMIT', amountCents: 1_000_001 } },
    ]);
  });

  it('when StockReserved comes before OrderPlaced, then it fails retriably and changes nothing, and succeeds once OrderPlaced is applied', async () => {
    const placed = orderPlaced();
    const reserved = stockReserved(placed);

    const early = reserve(placed, reserved);
    await expect(early).rejects.toThrow(OrderNotYetKnownError);
    await expect(early).rejects.toMatchObject({ retriable: true, code: 'ORDER_NOT_YET_KNOWN' });
    expect(await paymentsOf(placed.orderId)).toEqual([]);

    await place(placed);
    await expect(reserve(placed, reserved)).resolves.toMatchObject({ outcome: 'AUTHORIZED' });
    expect(await announced(placed.orderId)).toMatchObject([{ type: 'PaymentAuthorized' }]);
  });

  it('when OrderCancelled comes after the authorization, then the payment is REFUNDED and PaymentRefunded is announced', async () => {
    const placed = orderPlaced();
    const cancelled = orderCancelled(placed);
    await place(placed);
    await reserve(placed);
    const result = await cancel(placed, cancelled);

    expect(result).toMatchObject({ outcome: 'cancelled', refunded: [{ status: 'REFUNDED' }] });
    expect(await paymentsOf(placed.orderId)).toEqual([
      { status: 'REFUNDED', reason: null, amountCents: 2500n },
    ]);
    const events = await announced(placed.orderId);
    expect(events.map((e) => e.type)).toEqual(['PaymentAuthorized', 'PaymentRefunded']);
    const [authorized, refunded] = events.map((e) => e.payload as { paymentId: string });
    expect(refunded).toMatchObject({
      paymentId: authorized?.paymentId,
      amountCents: 2500,
      correlationId: placed.correlationId,
      causationId: cancelled.eventId,
    });
  });

  it('when OrderCancelled comes before StockReserved, then the order is never charged', async () => {
    const placed = orderPlaced();
    await place(placed);
    await expect(cancel(placed)).resolves.toEqual({ outcome: 'cancelled', refunded: [] });
    await expect(reserve(placed)).resolves.toMatchObject({ outcome: 'skipped' });

    expect(await paymentsOf(placed.orderId)).toEqual([]);
    expect(await announced(placed.orderId)).toEqual([]);
  });

  it('when OrderCancelled and StockReserved are applied concurrently, then no authorization stays un-refunded', async () => {
    const orders = Array.from({ length: 8 }, () => orderPlaced());
    await Promise.all(orders.map(place));
    await Promise.all(orders.flatMap((placed) => [reserve(placed), cancel(placed)]));

    for (const placed of orders) {
      const statuses = (await paymentsOf(placed.orderId)).map((p) => p.status);
      expect(statuses).not.toContain('AUTHORIZED');
      const types = (await announced(placed.orderId)).map((e) => e.type);
      expect([[], ['PaymentAuthorized', 'PaymentRefunded']]).toContainEqual(types);
    }
  });

  it('when any event is applied again under a new eventId, then it has no second effect', async () => {
    const placed = orderPlaced();
    await place(placed);
    await place({ ...placed, eventId: randomUUID(), totalCents: 1 });
    await reserve(placed);
    await expect(reserve(placed)).resolves.toEqual({
      outcome: 'skipped',
      reason: 'the order already has a payment (AUTHORIZED)',
    });
    await cancel(placed);
    await expect(cancel(placed)).resolves.toEqual({ outcome: 'cancelled', refunded: [] });

    expect(await paymentsOf(placed.orderId)).toEqual([
      { status: 'REFUNDED', reason: null, amountCents: 2500n },
    ]);
    expect((await announced(placed.orderId)).map((e) => e.type)).toEqual([
      'PaymentAuthorized',
      'PaymentRefunded',
    ]);
  });

  it('when OrderCancelled comes before OrderPlaced, then the cancellation is remembered, and the late OrderPlaced and StockReserved charge nothing', async () => {
    const placed = orderPlaced();
    await expect(cancel(placed)).resolves.toEqual({ outcome: 'cancelled-before-placed' });
    expect(await prisma.cancelledOrder.count({ where: { orderId: placed.orderId } })).toBe(1);

    await expect(place(placed)).resolves.toEqual({
      outcome: 'ignored',
      reason: 'the order was cancelled before its OrderPlaced arrived',
    });
    // Skipped at once, not waiting for an OrderPlaced that will never apply.
    await expect(reserve(placed)).resolves.toEqual({
      outcome: 'skipped',
      reason: 'the order was cancelled before it was placed here',
    });

    expect(await prisma.orderPaymentRequest.count({ where: { orderId: placed.orderId } })).toBe(0);
    expect(await paymentsOf(placed.orderId)).toEqual([]);
    expect(await announced(placed.orderId)).toEqual([]);
    expect(gateway.chargesOf(placed.orderId)).toBe(0);
  });

  it('when OrderPlaced is applied again after the order was cancelled, then it changes nothing', async () => {
    const placed = orderPlaced();
    await place(placed);
    await cancel(placed);
    await expect(place({ ...placed, eventId: randomUUID() })).resolves.toMatchObject({ outcome: 'ignored' });
    await expect(reserve(placed)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(await paymentsOf(placed.orderId)).toEqual([]);
  });
});
