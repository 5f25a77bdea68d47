import { randomUUID } from 'node:crypto';
import { topicName, type OrderPlaced, type StockReserved } from '@ecommerce/contracts';
import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone, type EventBackbone } from '@ecommerce/event-backbone';
import { createTestDatabase, testInfrastructure, waitFor, type TestDatabase } from '@ecommerce/test-infra';
import pino from 'pino';

import { SimulatedPaymentGateway } from '../gateway/simulated-payment-gateway';
import { PrismaClient } from '../generated/prisma/client';
import { orderPlaced, stockReserved } from '../testing/payment-events';
import { startPaymentConsumers } from './start-payment-consumers';

describe('payment-service consumers on the real broker, registry and database', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let backbone: EventBackbone;

  beforeAll(async () => {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    database = await createTestDatabase('payment');
    prisma = createPrismaClient(PrismaClient, database.url);
    const logger = pino({ level: 'silent' });
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
      logger,
      publishesEvents: true,
    });
    await startPaymentConsumers({
      backbone,
      gateway: new SimulatedPaymentGateway(),
      runInTransaction: (work) => prisma.$transaction(work),
      logger,
      groupId: `payment-service-test-${randomUUID()}`,
    });
  });

  afterAll(async () => {
    await backbone?.stop();
    await prisma?.$disconnect();
    await database?.drop();
  });

  /** Produces events as the order and inventory services would: Avro, keyed by orderId. */
  async function produce(
    events: (
      { type: 'OrderPlaced'; payload: OrderPlaced } | { type: 'StockReserved'; payload: StockReserved }
    )[],
  ) {
    const producer = backbone.kafka.producer();
    await producer.connect();
    try {
      for (const event of events) {
        const topic = topicName(event.type === 'OrderPlaced' ? 'orders' : 'inventory', backbone.topicPrefix);
        const value = await backbone.codec.encode(event.type, event.payload);
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
});
