import { randomUUID } from 'node:crypto';
import type { OrderPlaced } from '@ecommerce/contracts';
import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone, type EventBackbone } from '@ecommerce/event-backbone';
import { createTestDatabase, testInfrastructure, type TestDatabase } from '@ecommerce/test-infra';
import pino from 'pino';

import { SimulatedPaymentGateway } from '../gateway/simulated-payment-gateway';
import { PrismaClient } from '../generated/prisma/client';
import type { PaymentDb } from '../persistence/payments.repository';
import { orderCancelled, orderPlaced, stockReserved } from '../testing/payment-events';
import { authorizeOrderPayment } from './authorize-order-payment';
import { OrderNotYetKnownError } from './order-not-yet-known.error';
import { recordOrderPlaced } from './record-order-placed';
import { refundCancelledOrder } from './refund-cancelled-order';

describe('payment use cases on a migrated PostgreSQL database', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let backbone: EventBackbone;
  const gateway = new SimulatedPaymentGateway();

  const inTransaction = <T>(work: (tx: PaymentDb) => Promise<T>): Promise<T> => prisma.$transaction(work);
  const place = (event: OrderPlaced) => inTransaction((tx) => recordOrderPlaced(tx, event));
  const reserve = (placed: OrderPlaced, event = stockReserved(placed)) =>
    inTransaction((tx) => authorizeOrderPayment({ events: backbone, gateway }, tx, event));
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
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    database = await createTestDatabase('payment');
    prisma = createPrismaClient(PrismaClient, database.url);
    backbone = await startEventBackbone({
      serviceName: 'payment-service-test',
      settings: {
        KAFKA_BROKERS: kafkaBrokers,
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        TOPIC_PREFIX: `test.${randomUUID().slice(0, 8)}.`,
        KAFKA_TOPIC_PARTITIONS: 1,
        KAFKA_REPLICATION_FACTOR: 1,
      },
      databaseUrl: database.url,
      logger: pino({ level: 'silent' }),
      // The use cases only write the outbox; what is written is read back from it here.
      publishesEvents: false,
    });
  });

  afterAll(async () => {
    await backbone?.stop();
    await prisma?.$disconnect();
    await database?.drop();
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

  it('when OrderCancelled names an order never placed here, then it is acknowledged and changes nothing', async () => {
    const placed = orderPlaced();
    await expect(cancel(placed)).resolves.toEqual({ outcome: 'unknown-order' });
    expect(await prisma.orderPaymentRequest.count({ where: { orderId: placed.orderId } })).toBe(0);
  });
});
