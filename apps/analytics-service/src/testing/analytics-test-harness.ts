import { randomUUID } from 'node:crypto';

import {
  keyOf,
  topicFor,
  topicName,
  type CancelReason,
  type EventMetadata,
  type OrderCancelled,
  type OrderConfirmed,
  type OrderLine,
  type OrderPlaced,
  type TypedEvent,
} from '@ecommerce/contracts';
import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone, type EventBackbone } from '@ecommerce/event-backbone';
import { createTestDatabase, testInfrastructure, type TestDatabase } from '@ecommerce/test-infra';
import pino from 'pino';

import { loadAnalyticsServiceConfig, SERVICE_NAME, type AnalyticsServiceConfig } from '../config';
import { orderEventHandlers, projectedTopics } from '../consumers/order-events.consumer';
import { PrismaClient } from '../generated/prisma/client';
import type { ProjectionConsumer } from '../rebuild/rebuild-projections';

type Producer = ReturnType<EventBackbone['kafka']['producer']>;

/**
 * What an analytics test file runs against: a fresh migrated database, the service's event
 * backbone on the real broker and registry under a topic prefix of its own, a consumer group of
 * its own, and a producer standing in for the order service.
 */
export interface AnalyticsTestHarness {
  config: AnalyticsServiceConfig;
  database: TestDatabase;
  prisma: PrismaClient;
  backbone: EventBackbone;
  logger: pino.Logger;
  /**
   * The projections consuming as main.ts runs them, in this file's consumer group (the service's
   * is its name; a test must not share it). Stopping them leaves the group with no member.
   */
  projections: ProjectionConsumer;
  /** Writes events to their topics, keyed and encoded the way the order service's relay does. */
  publish(...events: TypedEvent[]): Promise<void>;
  close(): Promise<void>;
}

export async function startAnalyticsTestHarness(): Promise<AnalyticsTestHarness> {
  const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
  const database = await createTestDatabase('analytics');
  const config = loadAnalyticsServiceConfig({
    KAFKA_BROKERS: kafkaBrokers,
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    ANALYTICS_DATABASE_URL: database.url,
    TOPIC_PREFIX: `test.${randomUUID().slice(0, 8)}.`,
    KAFKA_TOPIC_PARTITIONS: '2',
    KAFKA_REPLICATION_FACTOR: '1',
  });
  const logger = pino({ level: 'silent' });
  const prisma = createPrismaClient(PrismaClient, database.url);
  const backbone = await startEventBackbone({
    serviceName: SERVICE_NAME,
    settings: config,
    databaseUrl: database.url,
    logger,
    publishesEvents: false,
  });
  const groupId = `analytics-test-${randomUUID()}`;
  let producer: Producer | undefined;

  return {
    config,
    database,
    prisma,
    backbone,
    logger,
    projections: {
      group: groupId,
      start: () =>
        backbone.consume({
          groupId,
          topics: projectedTopics,
          handlers: orderEventHandlers({ logger }),
          runInTransaction: (work) => prisma.$transaction(work),
          logger,
          retry: { initialDelayMs: 50, maxDelayMs: 200 },
        }),
      stop: () => backbone.stop(),
    },
    async publish(...events) {
      if (!producer) {
        producer = backbone.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
      }
      for (const event of events) {
        await producer.send({
          topic: topicName(topicFor(event.type), backbone.topicPrefix),
          acks: -1,
          messages: [
            {
              key: keyOf(event),
              value: await backbone.codec.encode(event.type, event.payload),
              headers: { 'event-type': event.type, 'event-id': event.payload.eventId },
            },
          ],
        });
      }
    },
    async close() {
      await producer?.disconnect();
      await backbone.stop();
      await prisma.$disconnect();
      await database.drop();
    },
  };
}

const metadata = (occurredAt: number): EventMetadata => ({
  eventId: randomUUID(),
  occurredAt,
  correlationId: randomUUID(),
  causationId: null,
});

/** Events of one order, as the order service would write them. */
export function orderEvents(orderId: string = randomUUID(), customerId = 'customer-1') {
  return {
    orderId,
    placed(items: OrderLine[], occurredAt: number): TypedEvent<'OrderPlaced'> {
      const totalCents = items.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
      const payload: OrderPlaced = {
        ...metadata(occurredAt),
        orderId,
        customerId,
        items,
        totalCents,
        currency: 'USD',
        paymentToken: null,
      };
      return { type: 'OrderPlaced', payload };
    },
    confirmed(totalCents: number, occurredAt: number): TypedEvent<'OrderConfirmed'> {
      const payload: OrderConfirmed = {
        ...metadata(occurredAt),
        orderId,
        customerId,
        totalCents,
        currency: 'USD',
      };
      return { type: 'OrderConfirmed', payload };
    },
    cancelled(reason: CancelReason, occurredAt: number): TypedEvent<'OrderCancelled'> {
      const payload: OrderCancelled = { ...metadata(occurredAt), orderId, customerId, reason };
      return { type: 'OrderCancelled', payload };
    },
  };
}
