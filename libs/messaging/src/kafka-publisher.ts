import type { Kafka, Message } from 'kafkajs';

import { ReplaceableProducer, type ProducerLogger } from './replaceable-producer';

/** What the publisher sends: an outbox row's content, in the order given. */
export interface OutboundMessage {
  topic: string;
  key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

/**
 * Broker answers that refuse the messages themselves, for good: sending them again, on any
 * producer, gets the same answer until someone changes the topic or the message. Everything else
 * (connection refused or reset, request timeouts, leader elections, too few in-sync replicas, a
 * producer out of sequence) is about the path to the broker or the producer, not the messages.
 * UNKNOWN_TOPIC_OR_PARTITION is retriable for kafkajs (a topic just created) and it retries it;
 * when its retries ran out, the topic is missing (deleted, misnamed: topics are never auto-created).
 */
const REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
  'INVALID_TOPIC_EXCEPTION',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'TOPIC_AUTHORIZATION_FAILED',
  'POLICY_VIOLATION',
]);

/**
 * The broker refused the messages of a publish for good. `refused: true` is what the outbox relay
 * reads: it then looks for the row at fault and spends that row's attempts only. A publish that
 * fails otherwise throws the client's error as it is: an outage, which spends no attempt.
 */
export class MessagesRefusedError extends Error {
  override readonly name = 'MessagesRefusedError';
  readonly refused = true;
  readonly retriable = false;

  constructor(
    /** The broker's error code, e.g. MESSAGE_TOO_LARGE. */
    readonly code: string,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** The broker's refusal behind a failed send (kafkajs wraps the last error when its retries run out), if any. */
export function brokerRefusal(error: unknown): { code: string; message: string } | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as {
      type?: unknown;
      message?: unknown;
      originalError?: unknown;
      cause?: unknown;
    };
    if (typeof candidate.type === 'string' && REFUSALS.has(candidate.type)) {
      return { code: candidate.type, message: String(candidate.message) };
    }
    current = candidate.originalError ?? candidate.cause;
  }
  return undefined;
}

/**
 * Publishes messages through a `ReplaceableProducer` (idempotent, `acks=all`, one request in
 * flight, replaced after any failed connect or send), and says which failures are refusals of the
 * messages (`MessagesRefusedError`) and which are outages (the client's own errors).
 */
export class KafkaPublisher {
  private readonly producer: ReplaceableProducer;

  constructor(kafka: Kafka, options: { logger?: ProducerLogger } = {}) {
    this.producer = new ReplaceableProducer(kafka, { purpose: 'outbox relay', ...options });
  }

  /** Producers made so far: 1 plus each replacement after a failure. */
  get producersCreated(): number {
    return this.producer.producersCreated;
  }

  async publish(messages: readonly OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const message of messages) {
      const batch = byTopic.get(message.topic) ?? [];
      batch.push({ key: message.key, value: message.payload, headers: message.headers });
      byTopic.set(message.topic, batch);
    }
    try {
      await this.producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, topicMessages]) => ({ topic, messages: topicMessages })),
      });
    } catch (error) {
      const refusal = brokerRefusal(error);
      if (refusal) throw new MessagesRefusedError(refusal.code, refusal.message, { cause: error });
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
