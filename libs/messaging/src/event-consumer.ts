import type { RunInTransaction, SqlExecutor } from '@ecommerce/database';
import {
  carrierFromKafkaHeaders,
  runInExtractedContext,
  SpanKind,
  withLogContext,
} from '@ecommerce/telemetry';
import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';

import { deadLetterHeaders } from './dead-letter';
import { errorCode, isOutage, isRetriable, PermanentFailure, selfClearingWindowMs } from './failure';
import { claimInboxEntry } from './inbox';
import { ReplaceableProducer } from './replaceable-producer';
import { backoffDelayMs, defaultRetryPolicy, RetryBudget, type RetryPolicy } from './retry-policy';
import { untilClusterSettles } from './cluster-settling';
import { ensureTopics, type TopicSettings } from './topics';

/** Turns a message value into a typed event; the contracts library's codec is one. */
export interface EventDecoder {
  decode(buffer: Buffer): Promise<{ type: string; payload: unknown }>;
}

/** An event as a handler sees it: decoded payload plus where it came from. */
export interface ConsumedEvent<Type extends string = string, Payload = unknown> {
  type: Type;
  payload: Payload;
  eventId: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
}

/**
 * Applies one event inside the consumer's transaction `tx`. Throwing rolls back the effect and the
 * inbox row together; a PermanentFailure (or any error with `retriable: false`) is dead-lettered at
 * once, anything else is retried.
 */
export type EventHandler<Tx, Event> = (event: Event, tx: Tx) => Promise<void>;

export type EventHandlers<Events extends object, Tx> = {
  [Type in keyof Events & string]?: EventHandler<Tx, ConsumedEvent<Type, Events[Type]>>;
};

export type HandlingOutcome = 'processed' | 'duplicate' | 'ignored' | 'dead-lettered';

/** Where the consumer reports what it does (metrics); every method is optional. */
export interface ConsumerObserver {
  handled?(event: { type: string; topic: string }, outcome: HandlingOutcome, durationMs: number): void;
  retried?(event: { type: string; topic: string }, attempt: number, error: unknown): void;
  deadLettered?(origin: { topic: string; errorCode: string }): void;
  lag?(topic: string, partition: number, lag: number): void;
}

export interface ConsumerLogger {
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface EventConsumerOptions<Events extends object, Tx extends SqlExecutor> {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  decoder: EventDecoder;
  handlers: EventHandlers<Events, Tx>;
  runInTransaction: RunInTransaction<Tx>;
  deadLetterTopic: string;
  /** Partitions and replication of the dead-letter topic, created at start if missing. */
  deadLetterTopicSettings: TopicSettings;
  logger: ConsumerLogger;
  observer?: ConsumerObserver;
  retry?: Partial<RetryPolicy>;
  /** Partitions handled at once; order holds within each partition. */
  partitionsConsumedConcurrently?: number;
}

const FAILURE_CLASSIFICATION = { isOutage, isRetriable, selfClearingWindowMs };

const RETRY_MESSAGES = {
  outage: 'a dependency is unavailable; retrying until it is back',
  waiting: 'event not applicable yet; retrying within its window',
  failure: 'event handling failed; retrying',
} as const;

class ConsumerStopping extends Error {
  override readonly name = 'ConsumerStopping';
}

function headersAsStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    result[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return result;
}

function eventIdOf(payload: unknown): string {
  const eventId = (payload as { eventId?: unknown } | null)?.eventId;
  if (typeof eventId !== 'string' || eventId === '') {
    throw new PermanentFailure('MISSING_EVENT_ID', 'event has no eventId, so it cannot be deduplicated');
  }
  return eventId;
}

/**
 * At-least-once consumption with exactly-once effects:
 * - each handler runs in a database transaction together with an inbox row (group, eventId), so a
 *   redelivered event commits nothing new;
 * - failures are retried in place (exponential backoff, full jitter), which keeps the partition's
 *   order; after the last attempt, or at once for a permanent failure, the message goes to the
 *   dead-letter topic with the error and its origin in headers, and the partition moves on;
 * - an outage (the database or the registry unreachable, see `isOutage`) is not the message's
 *   fault: it is retried for as long as it lasts, without spending the message's attempts, so a
 *   database restart delays the partition and dead-letters nothing;
 * - a failure that says it clears by itself within a window (`retryForMs`: the event waits for
 *   another consumer to catch up) is retried for that long before it spends attempts;
 * - an offset is resolved only after its effect (or its dead letter) is durable, so a crash
 *   redelivers rather than loses;
 * - `stop()` lets the message in hand finish (a retry wait is cut short and the message is left
 *   for redelivery), commits, and disconnects.
 */
export class EventConsumer<Events extends object, Tx extends SqlExecutor> {
  private readonly consumer: Consumer;
  private readonly deadLetterProducer: ReplaceableProducer;
  private readonly retry: RetryPolicy;
  private readonly stopController = new AbortController();
  /** Why the consumer is not consuming now (not started, crashed and restarting, stopped); undefined while it runs. */
  private notRunningBecause: string | undefined = 'not started';

  constructor(private readonly options: EventConsumerOptions<Events, Tx>) {
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.consumer = options.kafka.consumer({ groupId: options.groupId });
    // Replaced after any failed send, like the outbox relay's: a dead letter is never sent by a
    // producer whose sequence numbers kafkajs rolled back.
    this.deadLetterProducer = new ReplaceableProducer(options.kafka, {
      purpose: `dead letters of ${options.groupId}`,
      logger: options.logger,
    });
  }

  async start(): Promise<void> {
    await untilClusterSettles('create the dead-letter topic', () =>
      ensureTopics(this.options.kafka, [this.options.deadLetterTopic], this.options.deadLetterTopicSettings),
    );
    await untilClusterSettles('connect', async () => {
      await this.deadLetterProducer.connect();
      await this.consumer.connect();
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return; // kafkajs restarts the consumer itself
      this.notRunningBecause = `crashed (${payload.error.message}); restarting`;
      this.options.logger.error(
        { err: payload.error, groupId: this.options.groupId },
        'consumer crashed and kafkajs will not restart it; restarting it',
      );
      void this.restartAfterCrash();
    });
    await this.subscribeAndRun();
  }

  /**
   * kafkajs restarts a crashed consumer only when the error is marked retriable; otherwise it
   * disconnects and stays down, while the process goes on serving, ready, consuming nothing. (Seen
   * in a chaos run: the broker restarted during a rebalance and two services' groups stopped.) A
   * consumer is this service's reason to exist, so it connects and runs again, with backoff, until
   * it is stopped.
   */
  private async restartAfterCrash(): Promise<void> {
    for (let retry = 1; !this.stopController.signal.aborted; retry++) {
      try {
        await this.pause(backoffDelayMs(this.retry, retry) + 1_000);
        await untilClusterSettles('reconnect', () => this.consumer.connect());
        if (this.stopController.signal.aborted) return void (await this.consumer.disconnect());
        await this.subscribeAndRun();
        this.options.logger.warn({ groupId: this.options.groupId }, 'consumer running again after a crash');
        return;
      } catch (error) {
        if (error instanceof ConsumerStopping) return;
        this.options.logger.error({ err: error, retry }, 'consumer restart failed; trying again');
      }
    }
  }

  private async subscribeAndRun(): Promise<void> {
    // A new group starts from the beginning: every event ever published applies to it (read models
    // are rebuilt that way); an existing group resumes from its committed offsets.
    await untilClusterSettles('subscribe', () =>
      this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true }),
    );
    await this.consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) return;
          await this.handleMessage(batch.topic, batch.partition, message, heartbeat);
          resolveOffset(message.offset);
          this.options.observer?.lag?.(
            batch.topic,
            batch.partition,
            Math.max(0, Number(batch.highWatermark) - Number(message.offset) - 1),
          );
          await heartbeat();
        }
      },
    });
    this.notRunningBecause = undefined;
  }

  /**
   * Resolves while the consumer runs; rejects with the reason when it does not (for readiness: an
   * instance whose consumer is down should not count as serving).
   */
  async checkRunning(): Promise<void> {
    if (this.notRunningBecause !== undefined) {
      throw new Error(`consumer group ${this.options.groupId}: ${this.notRunningBecause}`);
    }
  }

  async stop(): Promise<void> {
    this.notRunningBecause = 'stopped';
    this.stopController.abort();
    await this.consumer.disconnect();
    await this.deadLetterProducer.close();
  }

  /** One CONSUMER span per message, a child of the producer's span carried in the headers. */
  private handleMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    return runInExtractedContext(
      carrierFromKafkaHeaders(message.headers),
      `${topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.source.name': topic,
          'messaging.kafka.consumer.group': this.options.groupId,
          'messaging.kafka.partition': partition,
          'messaging.kafka.offset': message.offset,
        },
      },
      () => this.handleWithRetries(topic, partition, message, heartbeat),
    );
  }

  private async handleWithRetries(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const started = Date.now();
    const origin = { topic, partition, offset: message.offset };
    let described = { type: 'unknown', topic };
    let budget: RetryBudget | undefined; // made at the first failure: most messages never fail
    for (;;) {
      try {
        const event = await this.decode(origin, message);
        described = { type: event.type, topic };
        const outcome = await this.apply(event);
        this.options.observer?.handled?.(described, outcome, Date.now() - started);
        return;
      } catch (error) {
        if (error instanceof ConsumerStopping) throw error;
        budget ??= new RetryBudget(this.retry, FAILURE_CLASSIFICATION);
        const next = budget.afterFailure(error);
        if (next.action === 'dead-letter') {
          await this.deadLetter(origin, message, next.attempts, error);
          this.options.observer?.handled?.(described, 'dead-lettered', Date.now() - started);
          return;
        }
        const { because, retry, delayMs } = next;
        this.options.observer?.retried?.(described, retry, error);
        this.options.logger[because === 'waiting' ? 'info' : 'warn'](
          { err: error, ...origin, because, retry, delayMs },
          RETRY_MESSAGES[because],
        );
        await heartbeat();
        await this.pause(delayMs);
        await heartbeat();
      }
    }
  }

  private async decode(
    origin: { topic: string; partition: number; offset: string },
    message: KafkaMessage,
  ): Promise<ConsumedEvent> {
    // A tombstone (null) and a zero-length value are the same mistake: one code for both.
    if (!message.value || message.value.length === 0) {
      throw new PermanentFailure('EMPTY_MESSAGE', 'message has no value');
    }
    const { type, payload } = await this.options.decoder.decode(message.value);
    return {
      type,
      payload,
      eventId: eventIdOf(payload),
      ...origin,
      key: message.key?.toString() ?? null,
      headers: headersAsStrings(message.headers),
    };
  }

  private async apply(event: ConsumedEvent): Promise<HandlingOutcome> {
    const handler = (this.options.handlers as Record<string, EventHandler<Tx, ConsumedEvent> | undefined>)[
      event.type
    ];
    if (!handler) {
      // Topics carry several event types; a group handles the ones it cares about.
      this.options.logger.debug({ eventType: event.type, eventId: event.eventId }, 'no handler; skipped');
      return 'ignored';
    }
    // Every log line written while handling names the event, and the order when it is about one.
    const payload = event.payload as { correlationId?: unknown; orderId?: unknown };
    const logContext = {
      eventId: event.eventId,
      eventType: event.type,
      ...(typeof payload.correlationId === 'string' && { correlationId: payload.correlationId }),
      ...(typeof payload.orderId === 'string' && { orderId: payload.orderId }),
    };
    return withLogContext(logContext, () =>
      this.options.runInTransaction(async (tx) => {
        const first = await claimInboxEntry(tx, {
          consumerGroup: this.options.groupId,
          eventId: event.eventId,
          eventType: event.type,
        });
        if (!first) return 'duplicate';
        await handler(event, tx);
        return 'processed';
      }),
    );
  }

  private async deadLetter(
    origin: { topic: string; partition: number; offset: string },
    message: KafkaMessage,
    attempts: number,
    error: unknown,
  ): Promise<void> {
    const code = errorCode(error);
    this.options.logger.error({ err: error, ...origin, attempts, errorCode: code }, 'event dead-lettered');
    await this.deadLetterProducer.send({
      topic: this.options.deadLetterTopic,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...headersAsStrings(message.headers),
            ...deadLetterHeaders({
              ...origin,
              consumerGroup: this.options.groupId,
              attempts,
              errorCode: code,
              error,
            }),
          },
        },
      ],
    });
    this.options.observer?.deadLettered?.({ topic: origin.topic, errorCode: code });
  }

  /** Waits between attempts; `stop()` cuts the wait short and leaves the message for redelivery. */
  private async pause(ms: number): Promise<void> {
    const signal = this.stopController.signal;
    if (signal.aborted) throw new ConsumerStopping('consumer is stopping');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new ConsumerStopping('consumer is stopping'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
