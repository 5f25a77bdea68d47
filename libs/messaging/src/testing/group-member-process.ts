/**
 * One EventConsumer as a process of its own, a member of a consumer group that a test kills with
 * `kill -9` (and for nothing else). Each event it applies is recorded by `recordAppliedBy(MEMBER)`,
 * so the test sees which member consumed which partition and when.
 *
 * Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL (with `createAppliedByMemberTable`),
 * TOPIC, GROUP_ID, DEAD_LETTER_TOPIC, MEMBER, and LIVENESS: a JSON `Partial<ConsumerLiveness>`.
 * Prints "started" once the consumer is started.
 */
import { createPgTransactions } from '@ecommerce/test-infra';
import pino from 'pino';

import type { SqlExecutor } from '@ecommerce/database';

import type { ConsumerLiveness } from '../consumer-liveness';
import { EventConsumer } from '../event-consumer';
import { createKafka, parseBrokers } from '../kafka-client';
import { createSchemaRegistry } from '../schema-registry';
import { recordAppliedBy } from './applied-by-member';
import type { TestEvent } from './test-messaging';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

const member = required('MEMBER');
const db = createPgTransactions(required('DATABASE_URL'));
const registry = createSchemaRegistry({ url: required('SCHEMA_REGISTRY_URL') });
const consumer = new EventConsumer<{ TestEvent: TestEvent }, SqlExecutor>({
  kafka: createKafka({ clientId: member, brokers: parseBrokers(required('KAFKA_BROKERS')) }),
  groupId: required('GROUP_ID'),
  topics: [required('TOPIC')],
  decoder: { decode: async (buffer) => ({ type: 'TestEvent', payload: await registry.decode(buffer) }) },
  handlers: { TestEvent: recordAppliedBy(member) },
  runInTransaction: db.runInTransaction,
  deadLetterTopic: required('DEAD_LETTER_TOPIC'),
  deadLetterTopicSettings: { partitions: 1, replicationFactor: 1 },
  logger: pino({ level: 'warn' }, process.stderr),
  liveness: JSON.parse(process.env['LIVENESS'] ?? '{}') as Partial<ConsumerLiveness>,
});

consumer.start().then(
  () => process.stdout.write('started\n'),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
