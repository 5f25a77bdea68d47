/**
 * One OutboxRelay as a process of its own, for crash tests (and nothing else).
 *
 * Environment: OUTBOX_DATABASE_URL, KAFKA_BROKERS, RELAY_BATCH_SIZE (default 100), and
 * RELAY_HANG_AFTER_BATCH=n: after the broker acknowledged batch n and before the rows are marked,
 * print "hanging-after-publish" and wait forever, so the test can kill -9 the process exactly
 * between publish and mark. Prints "published-batch <n> <rows>" after the broker acknowledged each
 * batch.
 */
import { createKafka, KafkaPublisher, parseBrokers } from '@ecommerce/messaging';
import pino from 'pino';

import { OutboxRelay } from '../outbox-relay';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

const hangAfterBatch = Number(process.env['RELAY_HANG_AFTER_BATCH'] ?? 0);
let batches = 0;

const publisher = new KafkaPublisher(
  createKafka({ clientId: 'relay-process', brokers: parseBrokers(required('KAFKA_BROKERS')) }),
);
const relay = new OutboxRelay({
  databaseUrl: required('OUTBOX_DATABASE_URL'),
  publisher,
  logger: pino({ level: 'warn' }, process.stderr),
  batchSize: Number(process.env['RELAY_BATCH_SIZE'] ?? 100),
  afterPublish: async () => {
    batches += 1;
    if (batches === hangAfterBatch) {
      process.stdout.write('hanging-after-publish\n');
      await new Promise(() => undefined);
    }
  },
  observer: {
    published: (messages) => void process.stdout.write(`published-batch ${batches} ${messages.length}\n`),
  },
});

relay.start();
process.on('SIGTERM', () => {
  void relay
    .stop()
    .then(() => publisher.close())
    .then(() => process.exit(0));
});
