import type { Kafka, Producer, ProducerBatch, ProducerRecord } from 'kafkajs';

export interface ProducerLogger {
  warn(object: object, message: string): void;
}

export interface ReplaceableProducerOptions {
  /** What the producer is for, in log lines and errors ('outbox relay', 'dead letters of payment-service'). */
  purpose: string;
  logger?: ProducerLogger;
  /**
   * Pause before connecting again after failed connects: doubles with each failure up to the max,
   * with jitter, and is reset by a connect that succeeds.
   */
  reconnectBackoff?: { initialDelayMs: number; maxDelayMs: number };
}

/**
 * The producer settings of every long-lived producer of the system:
 * - idempotent, `acks=all` at each send and one request in flight (what kafkajs requires for
 *   idempotence): a retried request neither duplicates nor reorders messages within a partition;
 * - a bounded number of retries (kafkajs's own backoff, about ten seconds in all). kafkajs's default
 *   for an idempotent producer is to retry for ever, which hides an outage inside one send: the
 *   caller can neither report it nor stop. When the retries run out, kafkajs rolls its sequence
 *   numbers back although the broker may have appended the batch; that producer is never used
 *   again (see `ReplaceableProducer`), which is what makes bounding the retries safe;
 * - no topic auto-creation: services create their topics with the configured partitions at start,
 *   so a missing topic (deleted, misnamed) is refused rather than created with broker defaults.
 */
const PRODUCER_CONFIG = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  retry: { retries: 5 },
} as const;

const DEFAULT_RECONNECT_BACKOFF = { initialDelayMs: 500, maxDelayMs: 10_000 };

/** A send attempted while the producer waits out its reconnect backoff: an outage, not the messages' fault. */
export class ProducerReconnectPending extends Error {
  override readonly name = 'ProducerReconnectPending';
  readonly code = 'KAFKA_PRODUCER_RECONNECT_PENDING';
  /** Read by `untilClusterSettles` (try again) and by the consumer runtime's outage test. */
  readonly retriable = true;
  readonly outage = true;
}

/**
 * A kafkajs producer that is replaced, never reused, after it failed:
 * - a connect that failed is not cached: the next call makes a new producer, after a backoff
 *   (calls during the backoff fail at once with `ProducerReconnectPending`), so a broker that was
 *   unreachable when the first message came is used as soon as it is back;
 * - a send that failed (kafkajs gave up: a non-retriable error, or its retries ran out) closes the
 *   producer, and the next send connects a new one, with a new producer id and fresh sequence
 *   numbers. kafkajs rolls sequence numbers back when a send fails although the broker may have
 *   appended the batch; the same producer's next send of a different batch is then refused with
 *   OUT_OF_ORDER_SEQUENCE_NUMBER, for good. A new producer id cannot be out of sequence.
 * The outbox relay (through `KafkaPublisher`) and every consumer's dead-letter producer use this.
 */
export class ReplaceableProducer {
  private current: { producer: Producer; connected: Promise<void> } | undefined;
  private failedConnects = 0;
  private reconnectAt = 0;
  private created = 0;
  private readonly backoff: { initialDelayMs: number; maxDelayMs: number };

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ReplaceableProducerOptions,
  ) {
    this.backoff = options.reconnectBackoff ?? DEFAULT_RECONNECT_BACKOFF;
  }

  /** Producers made so far: the first one plus every replacement. */
  get producersCreated(): number {
    return this.created;
  }

  /** Connects now rather than at the first send (start-up checks). */
  async connect(): Promise<void> {
    await this.connectedProducer();
  }

  /** Sends to several topics at once, acknowledged by all in-sync replicas. */
  async sendBatch(batch: ProducerBatch & { acks?: -1 }): Promise<void> {
    await this.using((producer) => producer.sendBatch({ ...batch, acks: -1 }));
  }

  /** Sends to one topic, acknowledged by all in-sync replicas. */
  async send(record: ProducerRecord & { acks?: -1 }): Promise<void> {
    await this.using((producer) => producer.send({ ...record, acks: -1 }));
  }

  /** Disconnects the producer in use, if any; a later send connects a new one. */
  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    // A producer whose connect failed was disconnected when it failed.
    if (
      await current.connected.then(
        () => true,
        () => false,
      )
    )
      await current.producer.disconnect();
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.current) {
      const waitMs = this.reconnectAt - Date.now();
      if (waitMs > 0) {
        throw new ProducerReconnectPending(
          `${this.options.purpose}: Kafka producer connects again in ${waitMs} ms (${this.failedConnects} failed connect(s))`,
        );
      }
      const producer = this.kafka.producer(PRODUCER_CONFIG);
      this.created += 1;
      this.current = { producer, connected: producer.connect() };
    }
    const { producer, connected } = this.current;
    try {
      await connected;
    } catch (error) {
      // Concurrent callers share one connect; the first to see it fail replaces the producer.
      if (this.current?.producer === producer) {
        this.current = undefined;
        this.failedConnects += 1;
        const ceiling = Math.min(
          this.backoff.maxDelayMs,
          this.backoff.initialDelayMs * 2 ** (this.failedConnects - 1),
        );
        // Half fixed, half random: instances that lost the broker together do not all come back at once.
        this.reconnectAt = Date.now() + ceiling / 2 + Math.random() * (ceiling / 2);
        this.options.logger?.warn(
          { err: error, purpose: this.options.purpose, failedConnects: this.failedConnects },
          'Kafka producer could not connect; a new one will be made after a backoff',
        );
        await this.disconnectQuietly(producer);
      }
      throw error;
    }
    this.failedConnects = 0;
    return producer;
  }

  private async using(send: (producer: Producer) => Promise<unknown>): Promise<void> {
    const producer = await this.connectedProducer();
    try {
      await send(producer);
    } catch (error) {
      await this.discard(producer, error);
      throw error;
    }
  }

  private async discard(producer: Producer, error: unknown): Promise<void> {
    if (this.current?.producer !== producer) return; // already replaced by a concurrent failure
    this.current = undefined;
    this.options.logger?.warn(
      { err: error, purpose: this.options.purpose },
      'Kafka send failed; the producer is closed and the next send uses a new one (new producer id)',
    );
    await this.disconnectQuietly(producer);
  }

  /** The producer is being thrown away: a failure to disconnect it changes nothing but is logged. */
  private async disconnectQuietly(producer: Producer): Promise<void> {
    try {
      await producer.disconnect();
    } catch (error) {
      this.options.logger?.warn(
        { err: error, purpose: this.options.purpose },
        'disconnecting a discarded Kafka producer failed',
      );
    }
  }
}
