import { randomUUID } from 'node:crypto';
import { topicName } from '@ecommerce/contracts';
import type { EventBackbone } from '@ecommerce/runtime';
import { startServiceTestHarness, type ServiceTestHarness } from '@ecommerce/runtime/testing';
import { waitFor } from '@ecommerce/test-infra';

import { SimulatedPaymentGateway, type PaymentGateway } from '../gateway/simulated-payment-gateway';
import { paymentService } from '../service';
import { orderCancelled, orderPlaced, stockReserved } from '../testing/payment-events';

type PaymentHarness = ServiceTestHarness<
  ReturnType<typeof paymentService.loadConfig>,
  ReturnType<typeof paymentService.database.open>,
  { gateway: PaymentGateway }
>;

describe('payment-service consumers on the real broker, registry and database', () => {
  let payment: PaymentHarness;
  let prisma: PaymentHarness['db'];
  let backbone: EventBackbone;
  const gateway = new SimulatedPaymentGateway();

  /** The service, consumers running, on a database and topics of its own (one partition each). */
  const startPayment = (gateway: PaymentGateway, settings: Record<string, string> = {}) =>
    startServiceTestHarness(
      { ...paymentService, parts: () => ({ gateway }) },
      { startConsumers: true, settings: { KAFKA_TOPIC_PARTITIONS: '1', ...settings } },
    );

  beforeAll(async () => {
    payment = await startPayment(gateway);
    ({ db: prisma, events: backbone } = payment);
  });

  afterAll(async () => {
    await payment?.close();
  });

  it('when StockReserved (even read first, even twice) and OrderPlaced are consumed, then one PaymentAuthorized reaches the payments topic', async () => {
    const placed = orderPlaced({ totalCents: 7300 });
    const reserved = stockReserved(placed);
    // StockReserved first: it is retried until OrderPlaced, from the other topic, has been applied.
    // Then again, same eventId: the inbox drops it.
    await payment.publish(
      { type: 'StockReserved', payload: reserved },
      { type: 'OrderPlaced', payload: placed },
      { type: 'StockReserved', payload: reserved },
    );

    const received: { type: string; payload: unknown }[] = [];
    const consumer = backbone.kafka.consumer({ groupId: `payments-reader-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName('payments', backbone.topicPrefix), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(await backbone.codec.decode(message.value as Buffer));
      },
    });
    try {
      const [event] = await waitFor(
        'PaymentAuthorized on the payments topic',
        () => received.length > 0 && received,
      );
      expect(event).toMatchObject({
        type: 'PaymentAuthorized',
        payload: { orderId: placed.orderId, amountCents: 7300, causationId: reserved.eventId },
      });
      await waitFor('the duplicate StockReserved to be consumed', async () => {
        const inbox = await prisma.inboxMessage.count({ where: { eventId: reserved.eventId } });
        return inbox === 1 && (await prisma.outboxMessage.count({ where: { publishedAt: null } })) === 0;
      });
      expect(await prisma.payment.count({ where: { orderId: placed.orderId } })).toBe(1);
      expect(received).toHaveLength(1);
    } finally {
      await consumer.disconnect();
    }
  });

  const handled = async (eventId: string) => (await prisma.inboxMessage.count({ where: { eventId } })) > 0;

  it('when the gateway answers only after the transaction timeout, then each order is asked once, outside any transaction, charged once, and the partition moves on', async () => {
    // A service of its own (database and topics), so the transactions open while the gateway
    // answers are this test's. Its transactions may last 500 ms: the gateway takes three times as long.
    let own: PaymentHarness | undefined;
    const slowGateway = new SimulatedPaymentGateway({ latencyMs: 1_500 });
    const lockingTransactionsWhileAsked: number[] = [];
    const watchedGateway: PaymentGateway = {
      authorize: async (request) => {
        if (!own) throw new Error('the gateway is asked only once the service runs');
        // Transactions holding a lock on payment's tables (as a claim or a record would).
        const [open] = await own.db.$queryRaw<{ n: number }[]>`
          SELECT count(DISTINCT pid)::int AS n FROM pg_locks
           WHERE pid <> pg_backend_pid()
             AND relation IN ('order_payment_requests'::regclass, 'payment_attempts'::regclass, 'payments'::regclass)`;
        lockingTransactionsWhileAsked.push(open?.n ?? -1);
        return slowGateway.authorize(request);
      },
    };
    try {
      own = await startPayment(watchedGateway, {
        DATABASE_TRANSACTION_TIMEOUT_MS: '500',
        DATABASE_TRANSACTION_MAX_WAIT_MS: '2000',
      });
      const shortTransactions = own.db;
      const [first, second] = [orderPlaced({ totalCents: 1100 }), orderPlaced({ totalCents: 2200 })];
      await own.publish({ type: 'OrderPlaced', payload: first }, { type: 'OrderPlaced', payload: second });
      // Both orders known first, so the only consumer at work while the gateway is asked is the
      // one asking it.
      await waitFor(
        'both orders to be known',
        async () => (await shortTransactions.orderPaymentRequest.count()) === 2,
        { timeoutMs: 30_000 },
      );
      await own.publish(
        { type: 'StockReserved', payload: stockReserved(first) },
        { type: 'StockReserved', payload: stockReserved(second) },
      );

      // The second order's StockReserved follows the first's on the one inventory partition.
      await waitFor(
        "the second order's payment",
        async () => (await shortTransactions.payment.count({ where: { orderId: second.orderId } })) === 1,
        { timeoutMs: 60_000 },
      );
      for (const order of [first, second]) {
        expect(
          await shortTransactions.payment.findMany({
            where: { orderId: order.orderId },
            select: { status: true },
          }),
        ).toEqual([{ status: 'AUTHORIZED' }]);
        expect(slowGateway.chargesOf(order.orderId)).toBe(1);
      }
      expect(lockingTransactionsWhileAsked).toEqual([0, 0]);
    } finally {
      await own?.close();
    }
  });

  it('when OrderCancelled is consumed before its OrderPlaced, then the late OrderPlaced and StockReserved charge nothing', async () => {
    const placed = orderPlaced();
    const cancelled = orderCancelled(placed);
    const reserved = stockReserved(placed);
    await payment.publish(
      { type: 'OrderCancelled', payload: cancelled },
      { type: 'OrderPlaced', payload: placed },
      { type: 'StockReserved', payload: reserved },
    );

    await waitFor(
      'OrderPlaced and StockReserved to be handled',
      async () => (await handled(placed.eventId)) && (await handled(reserved.eventId)),
    );
    expect(await prisma.payment.count({ where: { orderId: placed.orderId } })).toBe(0);
    expect(gateway.chargesOf(placed.orderId)).toBe(0);
    expect(await prisma.orderPaymentRequest.count({ where: { orderId: placed.orderId } })).toBe(0);
    expect(await prisma.cancelledOrder.count({ where: { orderId: placed.orderId } })).toBe(1);
  });
});
