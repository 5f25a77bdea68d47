import type { Consumer, Kafka } from 'kafkajs';

import { untilClusterSettles } from './cluster-settling';
import type { ConsumerLogger, EventDecoder } from './event-consumer';
import { isOutage } from './failure';

/** One message as a read model sees it: decoded, with where and when Kafka stored it. */
export interface FedEvent {
  type: string;
  payload: unknown;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The record's timestamp (the producer's send time): when the event was published. */
  publishedAt: number;
  headers: Record<string, string>;
}

export interface EventFeedOptions {
  kafka: Kafka;
  /** Unique per instance: every instance reads every partition. */
  groupId: string;
  /** Read from the start (the whole history) or only what arrives from now on. */
  topics: readonly { topic: string | RegExp; fromBeginning: boolean }[];
  decoder: EventDecoder;
  /** Applies one event to the read model; must not throw for an event it does not care about. */
  onEvent(event: FedEvent): void;
  logger: ConsumerLogger;
}

/**
 * Feeds an in-memory read model from topics: every message of every partition, decoded, in
 * partition order, with nothing committed. Where `EventConsumer` gives a service's effects
 * exactly-once through an inbox, this is for state that lives in memory and is rebuilt from the
 * topics at each start (the order console): no offsets are stored, so each start replays, and a
 * group of one instance leaves nothing behind on the broker once it stops.
 *
 * A message that cannot be decoded is skipped (and logged at debug): the services' own consumers
 * dead-letter it, and the read model shows their dead letters, so the feed must not stop on it.
 * The registry being away is not the message's fault: the decode is retried until it is back.
 */
export class EventFeed {
  private readonly consumer: Consumer;
  private stopping = false;

  constructor(private readonly options: EventFeedOptions) {
    this.consumer = options.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  }

  async start(): Promise<void> {
    await untilClusterSettles('connect the event feed', () => this.consumer.connect());
    for (const { topic, fromBeginning } of this.options.topics) {
      await untilClusterSettles('subscribe the event feed', () =>
        this.consumer.subscribe({ topics: [topic], fromBeginning }),
      );
    }
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (!message.value || message.value.length === 0) return;
        try {
          const { type, payload } = await this.decode(message.value);
          this.options.onEvent({
            type,
            payload,
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            publishedAt: Number(message.timestamp),
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {})
                .filter(([, value]) => value !== undefined)
                .map(([name, value]) => [name, String(value)]),
            ),
          });
        } catch (error) {
          this.options.logger.debug(
            { err: error, topic, partition, offset: message.offset },
            'event skipped',
          );
        }
      },
    });
  }

  private async decode(value: Buffer): Promise<{ type: string; payload: unknown }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.decoder.decode(value);
      } catch (error) {
        if (!isOutage(error) || this.stopping) throw error;
        if (attempt === 1) this.options.logger.warn({ err: error }, 'schema registry away; event feed waits');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * attempt)));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
  }
}
