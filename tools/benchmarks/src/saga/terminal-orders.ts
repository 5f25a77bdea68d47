import { performance } from 'node:perf_hooks';

import type { Kafka } from '@ecommerce/messaging';
import { startRawTopicReader, type RawTopicReader } from '@ecommerce/messaging/testing';
import { EVENT_HEADERS } from '@ecommerce/outbox';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

export interface OrderEnding {
  /** performance.now() when the terminal event reached the benchmark. */
  at: number;
  outcome: 'CONFIRMED' | 'CANCELLED';
  cancelReason?: string;
}

/**
 * Learns when orders end by reading the orders topic (OrderConfirmed / OrderCancelled, keyed by
 * orderId) in a consumer group of its own, instead of polling `GET /orders/:id`.
 *
 * Why: polling costs the system under test one HTTP request and one query per order per poll (at
 * 16 orders in flight and a 20 ms interval, 800 extra requests/s, more than the orders themselves),
 * and its interval quantises the latency. The topic costs the services nothing; the broker serves
 * one more consumer group, as it would any other subscriber. The price: the figure includes the
 * order service's relay hop (commit to publish, reported on its own) and one fetch round trip, so
 * it is when the outcome became visible to the rest of the system, which is what a saga promises.
 */
export class TerminalOrderWatcher {
  private readonly ended = new Map<string, OrderEnding>();
  private readonly waiters = new Map<string, (ending: OrderEnding) => void>();

  private reader: RawTopicReader | undefined;

  private constructor() {
    // Only through `start`, which starts the reader.
  }

  static async start(options: {
    kafka: Kafka;
    registry: SchemaRegistry;
    topic: string;
    groupId: string;
    partitions: number;
  }): Promise<TerminalOrderWatcher> {
    const watcher = new TerminalOrderWatcher();
    watcher.reader = await startRawTopicReader(options.kafka, {
      groupId: options.groupId,
      topics: [options.topic],
      // A fetch returns as soon as a message arrives (min bytes 1), so the wait adds no latency; a
      // shorter one only makes the consumer poll the broker more (50 ms cost the benchmark 60 ms CPU/s).
      maxWaitTimeInMs: 1_000,
      partitionsConsumedConcurrently: options.partitions,
      onBatch: async (batch) => {
        const at = performance.now();
        for (const message of batch.messages) {
          const type = message.headers?.[EVENT_HEADERS.eventType]?.toString();
          const orderId = message.key?.toString();
          if (!orderId || (type !== 'OrderConfirmed' && type !== 'OrderCancelled')) continue;
          // Only cancellations are decoded (for their reason): few of them, and decoding every
          // event would make the benchmark compete harder with the services for the CPU.
          const cancelReason =
            type === 'OrderCancelled' && message.value
              ? String(((await options.registry.decode(message.value)) as { reason: string }).reason)
              : undefined;
          watcher.record(orderId, {
            at,
            outcome: type === 'OrderConfirmed' ? 'CONFIRMED' : 'CANCELLED',
            ...(cancelReason && { cancelReason }),
          });
        }
      },
    });
    await watcher.reader.joined;
    return watcher;
  }

  private record(orderId: string, ending: OrderEnding): void {
    if (this.ended.has(orderId)) return; // a redelivery: the first sighting is the ending
    this.ended.set(orderId, ending);
    this.waiters.get(orderId)?.(ending);
    this.waiters.delete(orderId);
  }

  /** The order's ending, also when it was seen before the call; undefined after `timeoutMs` or on abort. */
  whenEnded(orderId: string, timeoutMs: number, signal: AbortSignal): Promise<OrderEnding | undefined> {
    const seen = this.ended.get(orderId);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const finish = (ending: OrderEnding | undefined) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiters.delete(orderId);
        resolve(ending);
      };
      const onAbort = () => finish(undefined);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(orderId, finish);
    });
  }

  async stop(): Promise<void> {
    await this.reader?.stop({ deleteGroup: true });
  }
}
