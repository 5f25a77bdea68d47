import type { KafkaHeaders } from '@ecommerce/telemetry';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';

import { withKafkaAdmin } from '../kafka-admin';
import { fixNegativeTimeoutInRequestQueue } from '../kafkajs-request-queue-fix';

// A tool's only client may be this one: kafkajs's Node 24 fix, as kafka-client.ts applies it.
fixNegativeTimeoutInRequestQueue();

/**
 * A Kafka client for tools and tests that work below this library (read and write bytes, play a
 * broken producer, look at the cluster): kafkajs's own retry and timeout defaults, unlike
 * `createKafka`'s (whose retries are capped for services), and no log, as failed attempts are
 * expected while brokers come and go.
 */
export function createRawKafka(options: { clientId: string; brokers: readonly string[] }): Kafka {
  return new Kafka({ clientId: options.clientId, brokers: [...options.brokers], logLevel: logLevel.NOTHING });
}

/** A record as the broker stores it: nothing decoded. */
export interface RawMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: KafkaHeaders;
}

/** Records of one partition, as one fetch returned them. */
export interface RawBatch {
  topic: string;
  partition: number;
  messages: readonly RawMessage[];
}

export interface RawTopicReaderOptions {
  /** A group of the reader's own: it reads every partition of `topics` from the start, every time. */
  groupId: string;
  topics: readonly string[];
  /** Called for each fetched batch, in offset order within a partition. */
  onBatch(batch: RawBatch): Promise<void>;
  /** Partitions handled at once (kafkajs default: 1). */
  partitionsConsumedConcurrently?: number;
  /** How long a fetch waits for records (kafkajs default: 5 s). */
  maxWaitTimeInMs?: number;
}

export interface RawTopicReader {
  /** Resolves when the group has first joined: its partitions are assigned and being fetched. */
  readonly joined: Promise<void>;
  /** Disconnects; with `deleteGroup`, the group is deleted too (a throw-away group leaves nothing behind). */
  stop(options?: { deleteGroup?: boolean }): Promise<void>;
}

/**
 * Reads `topics` from the start in a consumer group of its own and hands the raw batches to
 * `onBatch`, without the consumer runtime's decoding, inbox or dead letters: for tools and tests
 * that look at what is on the topics (a benchmark's watcher and its Kafka reference figure, a chaos
 * run's audit, a test reading dead letters). Resolves once the consumer runs.
 *
 * It commits no offsets: a reader starts from the beginning anyway, and kafkajs's default, a commit
 * after every batch, made most of the benchmark watcher's requests to the broker it measures (on
 * 2026-12-07 at 45 orders/s: 83 OffsetCommit requests a second, besides 55 fetches).
 */
export async function startRawTopicReader(
  kafka: Kafka,
  options: RawTopicReaderOptions,
): Promise<RawTopicReader> {
  const consumer = kafka.consumer({
    groupId: options.groupId,
    ...(options.maxWaitTimeInMs !== undefined && { maxWaitTimeInMs: options.maxWaitTimeInMs }),
  });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      ...(options.partitionsConsumedConcurrently !== undefined && {
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
      }),
      eachBatch: ({ batch }) => options.onBatch(batch),
    });
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  return {
    joined,
    async stop({ deleteGroup = false } = {}) {
      await consumer.disconnect();
      if (deleteGroup) await withKafkaAdmin(kafka, (admin) => admin.deleteGroups([options.groupId]));
    },
  };
}

/** The topics a consumer group member subscribes to, from its member metadata (`describeGroups`). */
export function subscribedTopicsOf(memberMetadata: Buffer): string[] {
  return AssignerProtocol.MemberMetadata.decode(memberMetadata)?.topics ?? [];
}
