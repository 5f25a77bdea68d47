import { randomUUID } from 'node:crypto';

import { testInfrastructure } from '@ecommerce/test-infra';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';

import type { EventDecoder } from '../event-consumer';
import { createKafka, parseBrokers } from '../kafka-client';
import { createSchemaRegistry } from '../schema-registry';
import { ensureTopics } from '../topics';

/**
 * A small event of its own for tests of the messaging machinery (outbox, consumer runtime), so
 * they prove the machinery without depending on the product's contracts.
 */
export interface TestEvent {
  eventId: string;
  key: string;
  sequence: number;
  note: string;
}

const testEventSchema = {
  type: 'record',
  name: 'TestEvent',
  namespace: 'com.ecommerce.testing',
  fields: [
    { name: 'eventId', type: 'string' },
    { name: 'key', type: 'string' },
    { name: 'sequence', type: 'int' },
    { name: 'note', type: 'string' },
  ],
};

export interface TestMessaging {
  kafka: Kafka;
  /** Unique per call, so test files never see each other's topics. */
  topicPrefix: string;
  encode(event: TestEvent): Promise<Buffer>;
  decoder: EventDecoder;
  newEvent(key: string, sequence: number, note?: string): TestEvent;
  createTopics(names: readonly string[], partitions?: number): Promise<void>;
  /** One topic with broker settings of its own (e.g. a small `max.message.bytes`). */
  createTopicWithConfig(name: string, partitions: number, config: Record<string, string>): Promise<void>;
}

export async function createTestMessaging(): Promise<TestMessaging> {
  const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
  const kafka = createKafka({ clientId: 'test', brokers: parseBrokers(kafkaBrokers) });
  const registry = createSchemaRegistry({ url: schemaRegistryUrl });
  const topicPrefix = `test.${randomUUID().slice(0, 8)}.`;
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(testEventSchema) },
    { subject: `${topicPrefix}events-com.ecommerce.testing.TestEvent` },
  );
  return {
    kafka,
    topicPrefix,
    encode: (event) => registry.encode(id, event),
    decoder: { decode: async (buffer) => ({ type: 'TestEvent', payload: await registry.decode(buffer) }) },
    newEvent: (key, sequence, note = '') => ({ eventId: randomUUID(), key, sequence, note }),
    createTopics: async (names, partitions = 3) => {
      await ensureTopics(kafka, names, { partitions, replicationFactor: 1 });
    },
    createTopicWithConfig: async (name, partitions, config) => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: name,
              numPartitions: partitions,
              configEntries: Object.entries(config).map(([configName, value]) => ({
                name: configName,
                value,
              })),
            },
          ],
        });
      } finally {
        await admin.disconnect();
      }
    },
  };
}
