import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import {
  ensureTopics,
  KafkaPublisher,
  untilClusterSettles,
  type Kafka,
  type OutboundMessage,
} from '@ecommerce/messaging';
import { startRawTopicReader } from '@ecommerce/messaging/testing';
import { waitFor } from '@ecommerce/system-runner';

import type { KafkaReference } from '../result';

const SECONDS = 10;
/** The relay's largest batch: what one relay sends per request when it has a backlog. */
const BATCH_SIZE = 500;

/**
 * Raw produce-to-consume throughput of kafkajs on this broker: the relays' producer (idempotent,
 * acks=all, one request in flight: `KafkaPublisher` itself) sends batches for SECONDS to one topic
 * with the run's partitions and replication factor; one consumer group reads them with a consumer per partition. Messages
 * have an event's size, an orderId-like key and an event's headers. Rate = messages / (last one
 * consumed - first one sent).
 */
export async function measureKafkaThroughput(options: {
  kafka: Kafka;
  topicPrefix: string;
  partitions: number;
  /** The services' (on a cluster, 3: each acks=all batch then waits for a follower too). */
  replicationFactor: number;
  messageBytes: number;
}): Promise<KafkaReference> {
  const { kafka, partitions, replicationFactor, messageBytes } = options;
  const topic = `${options.topicPrefix}reference.throughput`;
  const groupId = `${topic}.consumer`;
  // As the services create theirs: ensureTopics waits until the broker it asks knows the new
  // topic's leaders, and the whole step is tried again while a new cluster is still settling.
  await untilClusterSettles('create the reference topic', () =>
    ensureTopics(kafka, [topic], { partitions, replicationFactor }),
  );
  let consumed = 0;
  let lastConsumedAt = 0;
  const reader = await startRawTopicReader(kafka, {
    groupId,
    topics: [topic],
    maxWaitTimeInMs: 1_000,
    partitionsConsumedConcurrently: partitions,
    onBatch: async (batch) => {
      consumed += batch.messages.length;
      lastConsumedAt = performance.now();
    },
  });
  const publisher = new KafkaPublisher(kafka);
  try {
    await reader.joined;
    const value = randomBytes(messageBytes);
    const keys = Array.from({ length: 1_000 }, () => randomUUID());
    const headers = {
      'event-type': 'OrderPlaced',
      'event-id': randomUUID(),
      traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
    };
    let produced = 0;
    const startedAt = performance.now();
    while (performance.now() - startedAt < SECONDS * 1_000) {
      const batch: OutboundMessage[] = Array.from({ length: BATCH_SIZE }, (_, i) => ({
        topic,
        key: keys[(produced + i) % keys.length] ?? '',
        payload: value,
        headers,
      }));
      await publisher.publish(batch);
      produced += batch.length;
    }
    await waitFor('the reference consumer to read every message', () => consumed >= produced, {
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    return {
      messagesPerSecond: produced / ((lastConsumedAt - startedAt) / 1_000),
      partitions,
      messageBytes,
      batchSize: BATCH_SIZE,
      messages: produced,
    };
  } finally {
    await publisher.close();
    await reader.stop({ deleteGroup: true });
  }
}
