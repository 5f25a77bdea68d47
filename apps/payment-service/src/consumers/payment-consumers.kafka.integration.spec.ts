import { randomUUID } from 'node:crypto';
import { topicName, type EventPayloads } from '@ecommerce/contracts';
import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone, type EventBackbone } from '@ecommerce/event-backbone';
import { createTestDatabase, testInfrastructure, waitFor, type TestDatabase } from '@ecommerce/test-infra';
import pino from 'pino';

import { SimulatedPaymentGateway, type PaymentGateway } from '../gateway/simulated-payment-gateway';
import { PrismaClient } from '../generated/prisma/client';
import { orderCancelled, orderPlaced, stockReserved } from '../testing/payment-events';
import { startPaymentConsumers } from './start-payment-consumers';

describe('payment-service consumers on the real broker, registry and database', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let backbone: EventBackbone;
  const gateway = new SimulatedPaymentGateway();
  const logger = pino({ level: 'silent' });
  const backbones: EventBackbone[] = [];

  /** A backbone on topics of its own, so consumers started on it see no other test's events. */
  async function newBackbone(databaseUrl = database.url): Promise<EventBackbone> {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    const started = await startEventBackbone({
      serviceName: 'payment-service-test',
      settings: {
        KAFKA_BROKERS: kafkaBrokers,
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        TOPIC_PREFIX: `test.${randomUUID().slice(0, 8)}.`,
        KAFKA_TOPIC_PARTITIONS: 1,
        KAFKA_REPLICATION_FACTOR: 1,
      },
      databaseUrl,
      logger,
      publishesEvents: true,
    });
    backbones.push(started);
    return started;
  }

  beforeAll(async () => {
    database = await createTestDatabase('payment');
    prisma = createPrismaClient(PrismaClient, database.url);
    backbone = await newBackbone();
    await startPaymentConsumers({
      backbone,
      gateway,
      runInTransaction: (work) => prisma.$transaction(work),
      logger,
      groupId: `payment-service-test-${randomUUID()}`,
    });
  });

  afterAll(async () => {
    await Promise.all(backbones.map((started) => started.stop()));
    await prisma?.$disconnect();
    await database?.drop();
  });

  type OrderEvent = {
    [Type in 'OrderPlaced' | 'OrderCancelled' | 'StockReserved']: {
      type: Type;
      payload: EventPayloads[Type];
    };
  }['OrderPlaced' | 'OrderCancelled' | 'StockReserved'];

  /** Produces events as the order and inventory services would: Avro, keyed by orderId. */
  async function produce(events: OrderEvent[], on: EventBackbone = backbone) {
    const producer = on.kafka.producer();
    await producer.connect();
    try {
      for (const event of events) {
        const topic = topicName(event.type === 'StockReserved' ? 'inventory' : 'orders', on.topicPrefix);
        const value = await on.codec.encode(event.type, event.payload);
        await producer.send({
          topic,
          messages: [{ key: event.payload.orderId, value, headers: { 'event-type': event.type } }],
        });
      }
    } finally {
      await producer.disconnect();
    }
  }

  it('when StockReserved (even read first, even twice) and OrderPlaced are consumed, then one PaymentAuthorized reaches the payments topic', async () => {
    const placed = orderPlaced({ totalCents: 7300 });
    const reserved = stockReserved(placed);
    // StockReserved first: it is retried until OrderPlaced, from the other topic, has been applied.
    // Then again, same eventId: the inbox drops it.
    await produce([
      { type: 'StockReserved', payload: reserved },
      { type: 'OrderPlaced', payload: placed },
      { type: 'StockReserved', payload: reserved },
    ]);

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
    // A database of its own, so the transactions open while the gateway answers are this test's.
    const ownDatabase = await createTestDatabase('payment');
    const ownTopics = await newBackbone(ownDatabase.url);
    // The consumers' transactions may last 500 ms: the gateway takes three times as long.
    const shortTransactions = createPrismaClient(PrismaClient, ownDatabase.url, {
      DATABASE_TRANSACTION_TIMEOUT_MS: 500,
      DATABASE_TRANSACTION_MAX_WAIT_MS: 2_000,
    });
    const slowGateway = new SimulatedPaymentGateway({ latencyMs: 1_500 });
    const lockingTransactionsWhileAsked: number[] = [];
    const watchedGateway: PaymentGateway = {
      authorize: async (request) => {
        // Transactions holding a lock on payment's tables (as a claim or a record would).
        const [open] = await shortTransactions.$queryRaw<{ n: number }[]>`
          SELECT count(DISTINCT pid)::int AS n FROM pg_locks
           WHERE pid <> pg_backend_pid()
             AND relation IN ('order_payment_requests'::regclass, 'payment_attempts'::regclass, 'payments'::regclass)`;
        lockingTransactionsWhileAsked.push(open?.n ?? -1);
        return slowGateway.authorize(request);
      },
    };
    try {
      await startPaymentConsumers({
        backbone: ownTopics,
        gateway: watchedGateway,
        runInTransaction: (work) => shortTransactions.$transaction(work),
        logger,
        groupId: `payment-service-slow-gateway-${randomUUID()}`,
      });
      const [first, second] = [orderPlaced({ totalCents: 1100 }), orderPlaced({ totalCents: 2200 })];
      await produce(
        [
          { type: 'OrderPlaced', payload: first },
          { type: 'OrderPlaced', payload: second },
        ],
        ownTopics,
      );
      // Both orders known first, so the only consumer at work while the gateway is asked is the
      // one asking it.
      await waitFor(
        'both orders to be known',
        async () => (await shortTransactions.orderPaymentRequest.count()) === 2,
        { timeoutMs: 30_000 },
      );
      await produce(
        [
          { type: 'StockReserved', payload: stockReserved(first) },
          { type: 'StockReserved', payload: stockReserved(second) },
        ],
        ownTopics,
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
      await ownTopics.stop();
      backbones.splice(backbones.indexOf(ownTopics), 1);
      await shortTransactions.$disconnect();
      await ownDatabase.drop();
    }
  });

  it('when OrderCancelled is consumed before its OrderPlaced, then the late OrderPlaced and StockReserved charge nothing', async () => {
    const placed = orderPlaced();
    const cancelled = orderCancelled(placed);
    const reserved = stockReserved(placed);
    await produce([
      { type: 'OrderCancelled', payload: cancelled },
      { type: 'OrderPlaced', payload: placed },
      { type: 'StockReserved', payload: reserved },
    ]);

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
