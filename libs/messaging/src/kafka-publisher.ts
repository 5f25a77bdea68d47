import type { Kafka, Message, Producer } from 'kafkajs';

/** What the publisher sends: an outbox row's content, in the order given. */
export interface OutboundMessage {
  topic: string;
  key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

/**
 * Publishes messages with kafkajs's idempotent producer: acks from all in-sync replicas, one
 * request in flight (what kafkajs requires for idempotence), so a retried request can neither
 * duplicate nor reorder messages within a partition.
 */
export class KafkaPublisher {
  private readonly producer: Producer;
  private connecting: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  async publish(messages: readonly OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    this.connecting ??= this.producer.connect();
    await this.connecting;
    const byTopic = new Map<string, Message[]>();
    for (const message of messages) {
      const batch = byTopic.get(message.topic) ?? [];
      batch.push({ key: message.key, value: message.payload, headers: message.headers });
      byTopic.set(message.topic, batch);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, topicMessages]) => ({ topic, messages: topicMessages })),
    });
  }

  async close(): Promise<void> {
    if (this.connecting) await this.producer.disconnect();
    this.connecting = undefined;
  }
}
