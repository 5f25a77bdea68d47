import { randomUUID } from 'node:crypto';

import { createPrismaClient } from '@ecommerce/database';
import { createKafka, createSchemaRegistry, parseBrokers } from '@ecommerce/messaging';
import { createTestDatabase, testInfrastructure, type TestDatabase } from '@ecommerce/test-infra';
import { SchemaType } from '@kafkajs/confluent-schema-registry';

import { PrismaClient } from './generated/prisma/client';

/**
 * The three real parts every integration test stands on: an Avro message through the schema
 * registry and the broker, and a row through this service's Prisma client. Fails if any is missing.
 */
describe('infrastructure smoke test', () => {
  const infrastructure = testInfrastructure();

  it('when an Avro message is produced through the registry, then a consumer reads and decodes it', async () => {
    const topic = `smoke.${randomUUID()}`;
    const kafka = createKafka({ brokers: parseBrokers(infrastructure.kafkaBrokers), clientId: 'smoke-test' });
    const registry = createSchemaRegistry({ url: infrastructure.schemaRegistryUrl });
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true });
    const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });
    try {
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
        waitForLeaders: true,
      });

      const schema = {
        type: 'record',
        name: 'SmokeEvent',
        namespace: 'com.example.smoke',
        fields: [
          { name: 'eventId', type: 'string' },
          { name: 'quantity', type: 'int' },
        ],
      };
      const { id: schemaId } = await registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject: `${topic}-com.example.smoke.SmokeEvent` },
      );
      const event = { eventId: randomUUID(), quantity: 3 };
      const encoded = await registry.encode(schemaId, event);
      // Confluent wire format: magic byte 0, then the schema id as a big-endian int32.
      expect(encoded.readUInt8(0)).toBe(0);
      expect(encoded.readInt32BE(1)).toBe(schemaId);

      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: event.eventId, value: encoded }] });

      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<unknown>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            clearTimeout(deadline);
            resolve(await registry.decode(message.value as Buffer));
          },
        });
      });
      expect(await received).toEqual(event);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  describe('with a migrated order database', () => {
    let database: TestDatabase;
    let prisma: PrismaClient;

    beforeAll(async () => {
      database = await createTestDatabase('order');
      prisma = createPrismaClient(PrismaClient, database.url);
    });

    afterAll(async () => {
      await prisma?.$disconnect();
      await database?.drop();
    });

    it('when an order with lines is written through Prisma, then it reads back with its lines', async () => {
      const id = randomUUID();
      await prisma.order.create({
        data: {
          id,
          customerId: 'customer-1',
          correlationId: randomUUID(),
          totalCents: 2500n,
          currency: 'USD',
          lines: { create: [{ lineNumber: 1, sku: 'SKU-1', quantity: 2, unitPriceCents: 1250n }] },
        },
      });
      const order = await prisma.order.findUniqueOrThrow({ where: { id }, include: { lines: true } });
      expect(order).toMatchObject({
        status: 'PENDING',
        totalCents: 2500n,
        lines: [{ sku: 'SKU-1', quantity: 2 }],
      });
    });
  });
});
