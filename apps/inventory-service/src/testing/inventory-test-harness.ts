import { randomUUID } from 'node:crypto';

import type { EventPayloads, EventType, TopicKey } from '@ecommerce/contracts';
import { createPrismaClient } from '@ecommerce/database';
import { startEventBackbone, type EventBackbone } from '@ecommerce/event-backbone';
import { createEventRecorder, type RecordedEvent } from '@ecommerce/event-backbone/testing';
import { createTestDatabase, testInfrastructure, type TestDatabase } from '@ecommerce/test-infra';
import pino from 'pino';

import { loadInventoryServiceConfig, SERVICE_NAME, type InventoryServiceConfig } from '../config';
import { PrismaClient } from '../generated/prisma/client';

export type { RecordedEvent };

/**
 * What an inventory test file runs against: a fresh migrated database, the service's event
 * backbone on the real broker and registry under a topic prefix of its own, and a recorder of what
 * reaches the topics.
 */
export interface InventoryTestHarness {
  config: InventoryServiceConfig;
  database: TestDatabase;
  prisma: PrismaClient;
  backbone: EventBackbone;
  logger: pino.Logger;
  /** Starts recording `topics` from their beginning (call once per file). */
  record(topics: readonly TopicKey[]): Promise<void>;
  /** Waits until an event of `type` matching `where` has reached its topic, and returns it. */
  waitForEvent<T extends EventType>(
    type: T,
    where: (payload: EventPayloads[T]) => boolean,
  ): Promise<RecordedEvent<T>>;
  recorded(): readonly RecordedEvent[];
  /** Every event of `type` in the outbox (written, published or not), decoded. */
  outboxEvents<T extends EventType>(type: T): Promise<EventPayloads[T][]>;
  close(): Promise<void>;
}

export async function startInventoryTestHarness(): Promise<InventoryTestHarness> {
  const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
  const database = await createTestDatabase('inventory');
  const config = loadInventoryServiceConfig({
    KAFKA_BROKERS: kafkaBrokers,
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    INVENTORY_DATABASE_URL: database.url,
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
    publishesEvents: true,
  });

  const recorder = createEventRecorder(backbone, 'inventory-test');

  return {
    config,
    database,
    prisma,
    backbone,
    logger,
    record: (topics) => recorder.record(topics),
    waitForEvent: (type, where) => recorder.waitForEvent(type, where),
    recorded: () => recorder.recorded(),
    async outboxEvents(type) {
      const rows = await prisma.outboxMessage.findMany({
        where: { eventType: type },
        orderBy: { id: 'asc' },
      });
      const decoded = await Promise.all(rows.map((row) => backbone.codec.decode(Buffer.from(row.payload))));
      return decoded.map((event) => event.payload as EventPayloads[typeof type]);
    },
    async close() {
      await recorder.stop();
      await backbone.stop();
      await prisma.$disconnect();
      await database.drop();
    },
  };
}
