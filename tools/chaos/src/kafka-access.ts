/**
 * Raw Kafka access for the chaos run: it reads and writes records byte for byte, below the services'
 * messaging library (which decodes, deduplicates and dead-letters), because it plays the broken
 * network and the broken producer: through the messaging library's raw client and reader
 * (`@ecommerce/messaging/testing`), the client's defaults and no decoding.
 */
import { randomUUID } from 'node:crypto';

import { withKafkaAdmin, type Kafka } from '@ecommerce/messaging';
import { createRawKafka, startRawTopicReader, subscribedTopicsOf } from '@ecommerce/messaging/testing';
import { EVENT_HEADERS } from '@ecommerce/outbox';
import type { KafkaHeaders } from '@ecommerce/telemetry';

export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaHeaders;
}

export interface GroupLag {
  group: string;
  topic: string;
  lag: number;
}

const READER_GROUP_PREFIX = 'chaos-reader.';

export class KafkaAccess {
  private readonly kafka: Kafka;

  constructor(
    /** Bootstrap servers, comma-separated. */
    brokers: string,
    private readonly topicPrefix: string,
  ) {
    // Every node of a cluster: the run reads and writes while one of them is down.
    this.kafka = createRawKafka({ clientId: 'chaos', brokers: brokers.split(',') });
  }

  /** The services' event topics (every topic under the prefix but the dead-letter ones). */
  async eventTopics(): Promise<string[]> {
    return (await this.topics()).filter((topic) => !topic.startsWith(this.deadLetterPrefix));
  }

  async deadLetterTopics(): Promise<string[]> {
    return (await this.topics()).filter((topic) => topic.startsWith(this.deadLetterPrefix));
  }

  /** Every record of `topics` up to their current ends, read by a throw-away consumer group. */
  async readAll(topics: readonly string[]): Promise<RawRecord[]> {
    const ends = new Map<string, bigint>();
    await withKafkaAdmin(this.kafka, async (admin) => {
      for (const topic of topics) {
        for (const partition of await admin.fetchTopicOffsets(topic)) {
          if (BigInt(partition.high) > BigInt(partition.low))
            ends.set(`${topic}/${partition.partition}`, BigInt(partition.high));
        }
      }
    });
    if (ends.size === 0) return [];
    const records: RawRecord[] = [];
    let allRead!: () => void;
    const read = new Promise<void>((resolve) => (allRead = resolve));
    const reader = await startRawTopicReader(this.kafka, {
      groupId: `${READER_GROUP_PREFIX}${randomUUID()}`,
      topics,
      onBatch: async ({ topic, partition, messages }) => {
        for (const message of messages) {
          const end = ends.get(`${topic}/${partition}`);
          if (end === undefined || BigInt(message.offset) >= end) continue;
          records.push({
            topic,
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          });
          if (BigInt(message.offset) === end - 1n) ends.delete(`${topic}/${partition}`);
          if (ends.size === 0) allRead();
        }
      },
    });
    try {
      await read;
    } finally {
      await reader.stop({ deleteGroup: true });
    }
    return records;
  }

  /**
   * Produces `records` again to their own partitions: same key, value and headers. Resolves with
   * where each copy landed.
   */
  async reproduce(
    records: readonly RawRecord[],
  ): Promise<{ topic: string; partition: number; offset: string }[]> {
    const producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const written: { topic: string; partition: number; offset: string }[] = [];
    try {
      for (const record of records) {
        const [ack] = await producer.send({
          topic: record.topic,
          acks: -1,
          messages: [
            { partition: record.partition, key: record.key, value: record.value, headers: record.headers },
          ],
        });
        written.push({ topic: record.topic, partition: record.partition, offset: ack?.baseOffset ?? '' });
      }
    } finally {
      await producer.disconnect();
    }
    return written;
  }

  /** Produces a record no consumer can decode (not the Confluent wire format); returns where it landed. */
  async producePoison(topic: string): Promise<{ topic: string; partition: number; offset: string }> {
    // Idempotent: a send retried after a lost acknowledgement must not write a second poison at
    // another offset, which the run would then count as an unexpected dead letter (seen once).
    const producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const [written] = await producer.send({
        topic,
        acks: -1,
        messages: [
          {
            key: `chaos-poison-${randomUUID()}`,
            value: Buffer.from('chaos: this is not an Avro record'),
            headers: { [EVENT_HEADERS.eventType]: 'OrderPlaced', [EVENT_HEADERS.eventId]: randomUUID() },
          },
        ],
      });
      if (!written) throw new Error(`no acknowledgement for the poison record on ${topic}`);
      return { topic, partition: written.partition, offset: written.baseOffset ?? '' };
    } finally {
      await producer.disconnect();
    }
  }

  /** Records written so far to each partition of `topics` (log end minus log start). */
  async partitionVolumes(
    topics: readonly string[],
  ): Promise<{ topic: string; partition: number; records: number }[]> {
    return withKafkaAdmin(this.kafka, async (admin) => {
      const volumes: { topic: string; partition: number; records: number }[] = [];
      for (const topic of topics) {
        for (const { partition, high, low } of await admin.fetchTopicOffsets(topic))
          volumes.push({ topic, partition, records: Number(BigInt(high) - BigInt(low)) });
      }
      return volumes;
    });
  }

  /**
   * For every consumer group of the services and every topic it subscribes to: messages between its
   * committed offset and the end of the log (a partition it never committed counts from the start).
   */
  async consumerLag(): Promise<GroupLag[]> {
    return withKafkaAdmin(this.kafka, async (admin) => {
      const { groups } = await admin.listGroups();
      const groupIds = groups.map((g) => g.groupId).filter((id) => !id.startsWith(READER_GROUP_PREFIX));
      const { groups: described } = await admin.describeGroups(groupIds);
      const lags: GroupLag[] = [];
      for (const group of described) {
        const subscribed = new Set<string>();
        for (const member of group.members) {
          for (const topic of subscribedTopicsOf(member.memberMetadata)) subscribed.add(topic);
        }
        const committed = await admin.fetchOffsets({ groupId: group.groupId });
        for (const { topic } of committed) subscribed.add(topic);
        for (const topic of subscribed) {
          const [offsets] = await admin.fetchOffsets({ groupId: group.groupId, topics: [topic] });
          let lag = 0;
          for (const end of await admin.fetchTopicOffsets(topic)) {
            const at = offsets?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
            lag += Number(BigInt(end.high) - BigInt(at === '-1' ? end.low : at));
          }
          lags.push({ group: group.groupId, topic, lag });
        }
      }
      return lags;
    });
  }

  private get deadLetterPrefix(): string {
    return `${this.topicPrefix}dlq.`;
  }

  private async topics(): Promise<string[]> {
    const all = await withKafkaAdmin(this.kafka, (admin) => admin.listTopics());
    return all.filter((topic) => topic.startsWith(this.topicPrefix)).sort();
  }
}

/** A header's value as text. */
export function headerText(headers: KafkaHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(String).join(',') : value.toString();
}
