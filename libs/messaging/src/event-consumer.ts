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
import {
  isExternalEffectHandler,
  type ExternalEffectHandler,
  type RecordInTransaction,
} from './external-effect-handler';
import { claimInboxEntries, claimInboxEntry, hasInboxEntry } from './inbox';
import { ReplaceableProducer } from './replaceable-producer';
import { backoffDelayMs, defaultRetryPolicy, RetryBudget, type RetryPolicy } from './retry-policy';
import { untilClusterSettles } from './cluster-settling';
import { defaultConsumerLiveness, type ConsumerLiveness } from './consumer-liveness';
import { ConsumerProgress } from './consumer-progress';
import { ensureTopics, UNLIMITED_RETENTION_MS, type TopicSettings } from './topics';

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

/**
 * A handler per event type: an EventHandler for an effect in the database, or an
 * ExternalEffectHandler for one that leaves it (a mail, a charge), which is performed before the
 * consumer's transaction.
 */
export type EventHandlers<Events extends object, Tx extends SqlExecutor> = {
  [Type in keyof Events & string]?:
    | EventHandler<Tx, ConsumedEvent<Type, Events[Type]>>
    | ExternalEffectHandler<Tx, ConsumedEvent<Type, Events[Type]>>;
};

/** Any event of `Events` as consumed: a union told apart by `type`. */
export type AnyConsumedEvent<Events extends object> = {
  [Type in keyof Events & string]: ConsumedEvent<Type, Events[Type]>;
}[keyof Events & string];

/**
 * Locks, in the one order every transaction that locks them follows, the rows shared with other
 * partitions that a batch's handlers are about to lock (`EventConsumerOptions.lockBatch`).
 */
export type LockBatch<Events extends object, Tx> = (
  events: readonly AnyConsumedEvent<Events>[],
  tx: Tx,
) => Promise<void>;

export type HandlingOutcome = 'processed' | 'duplicate' | 'ignored' | 'dead-lettered';

/** Where the consumer reports what it does (metrics); every method is optional. */
export interface ConsumerObserver {
  handled?(event: { type: string; topic: string }, outcome: HandlingOutcome, durationMs: number): void;
  retried?(event: { type: string; topic: string }, attempt: number, error: unknown): void;
  deadLettered?(origin: { topic: string; errorCode: string }): void;
  lag?(topic: string, partition: number, lag: number): void;
  /** The consumer was restarted: it crashed and kafkajs gave up on it, or it stopped making progress. */
  restarted?(cause: 'crash' | 'stall'): void;
  /** Offsets were committed to Kafka (one request, any number of partitions). */
  committed?(): void;
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
  /**
   * The handlers' transactions. Their statements must reach the database in the order they are
   * issued, as on one node-postgres connection (`createSqlTransactions`): the inbox claim is not
   * awaited before the handler's statements are issued behind it.
   */
  runInTransaction: RunInTransaction<Tx>;
  deadLetterTopic: string;
  /**
   * Partitions, replication and retention of the dead-letter topic, created at start if missing.
   * Retention defaults to unlimited: a dead letter waits for an operator, however long that takes.
   */
  deadLetterTopicSettings: TopicSettings;
  logger: ConsumerLogger;
  /**
   * Fields every log line written while an event is handled carries besides its id, type and
   * correlation id: what the event is about in the domain (the runtime names its order).
   */
  logFields?: (event: ConsumedEvent) => Record<string, string>;
  observer?: ConsumerObserver;
  retry?: Partial<RetryPolicy>;
  /** Partitions handled at once; order holds within each partition. */
  partitionsConsumedConcurrently?: number;
  /**
   * Applies the events of a fetched batch (one partition's, in its order) in one transaction with
   * their inbox rows, instead of one transaction each: one COMMIT, and one round trip for the
   * claims, per batch. A batch transaction holds every event's locks until it commits, so two
   * batches locking shared rows in different orders would deadlock: as it is, this suits a group
   * whose handlers write only rows of their event's key, on topics that share no keys; a group
   * whose handlers lock rows other partitions' events lock too needs `lockBatch` with it. When any
   * event of a batch fails, the batch is rolled back and its events are applied one by one, each
   * retried and dead-lettered on its own. External effect handlers are always applied one by one.
   * Default false.
   */
  transactionPerBatch?: boolean;
  /**
   * For a group whose handlers also lock rows other partitions' events lock (stock shared by
   * orders): run first in each batch transaction, it locks all of them at once in the order every
   * other transaction locks them in, so that batches queue behind each other instead of
   * deadlocking. With it, `transactionPerBatch` is safe for such a group too. It gets the batch's
   * events that have a handler, duplicates included.
   */
  lockBatch?: LockBatch<Events, Tx>;
  /** Session, heartbeat, rebalance and watchdog timing; `defaultConsumerLiveness` where not given. */
  liveness?: Partial<ConsumerLiveness>;
  /**
   * How often handled offsets are committed to Kafka, at most (see the class comment); 0 commits
   * after every fetched batch, as kafkajs does. `DEFAULT_OFFSET_COMMIT_INTERVAL_MS` where not given.
   */
  offsetCommitIntervalMs?: number;
}

/**
 * One offset commit per consumer per second at most. kafkajs commits after every fetched batch,
 * and at the saga's load a batch is one or two messages: an OffsetCommit per event handled, which
 * the broker appends to its offsets log (BENCHMARKS.md, "Offset commits once a second").
 */
const DEFAULT_OFFSET_COMMIT_INTERVAL_MS = 1_000;

const FAILURE_CLASSIFICATION = { isOutage, isRetriable, selfClearingWindowMs };

/**
 * At most this many events in one batch transaction: a bound on how long it holds its locks and on
 * what one failure sends back to be applied one by one.
 */
const MAX_EVENTS_PER_TRANSACTION = 100;

const RETRY_MESSAGES = {
  outage: 'a dependency is unavailable; retrying until it is back',
  waiting: 'event not applicable yet; retrying within its window',
  failure: 'event handling failed; retrying',
} as const;

class ConsumerStopping extends Error {
  override readonly name = 'ConsumerStopping';
}

/**
 * kafkajs instrumentation events that mean the consumer got something done (see
 * `ConsumerProgress`); FETCH_START is not one: a fetch that never returns starts too.
 */
const PROGRESS_EVENTS = [
  'FETCH',
  'HEARTBEAT',
  'START_BATCH_PROCESS',
  'END_BATCH_PROCESS',
  'COMMIT_OFFSETS',
  'GROUP_JOIN',
] as const;

/**
 * One kafkajs consumer and what belongs to it. A restart gives the run up and starts a new one
 * rather than reconnecting the same client: a run given up because it hung may never finish its
 * fetch or its handler, and must hold up neither its successor nor `stop()`.
 */
interface ConsumerRun {
  readonly consumer: Consumer;
  readonly progress: ConsumerProgress;
  /** Aborted when the run is given up: its messages' retry waits end, and they are left for redelivery. */
  readonly givenUp: AbortController;
  /**
   * Commits the offsets handled and not committed yet: now, or if the interval since the last commit
   * has passed. Set by every batch (kafkajs hands its offset bookkeeping to a batch only), undefined
   * before the first and after a crash, when kafkajs dropped what it had resolved.
   */
  offsets?: { commitNow(): Promise<void>; commitIfDue(): Promise<void> };
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

/** An event of a batch transaction (`transactionPerBatch`) and its handler, if its group has one. */
interface TogetherItem<Tx> {
  message: KafkaMessage;
  event: ConsumedEvent;
  handler: EventHandler<Tx, ConsumedEvent> | undefined;
}

/** Thrown in the transaction of an event its group applied before: rolls back what the handler wrote. */
class AlreadyApplied extends Error {
  override readonly name = 'AlreadyApplied';
}

/**
 * Runs `work` on a transaction behind `applied`, a statement on the same transaction that answers
 * whether the event was applied before, without waiting for that answer first: the work's
 * statements follow it on the connection, so the database runs them after it, and they share its
 * round trip. The answer is read before the commit: a duplicate's work is rolled back
 * (`AlreadyApplied`), and work that failed on a duplicate (its effect is there already) was a
 * duplicate all the same.
 */
async function unlessApplied<T>(applied: Promise<boolean>, work: () => Promise<T>): Promise<T> {
  applied.catch(() => undefined); // awaited below; this only keeps it from counting as unhandled meanwhile
  let result: T;
  try {
    result = await work();
  } catch (error) {
    if (await applied) throw new AlreadyApplied();
    throw error;
  }
  if (await applied) throw new AlreadyApplied();
  return result;
}

/**
 * At-least-once consumption with exactly-once effects:
 * - each handler runs in a database transaction together with an inbox row (group, eventId), so a
 *   redelivered event commits nothing new (its handler may run, but what it wrote is rolled back);
 *   an ExternalEffectHandler claims its work behind an inbox check, in a short transaction of
 *   its own, performs its effect after it and records the result inside the inbox row's;
 * - with `transactionPerBatch`, the events of a fetched batch share one transaction, claims and
 *   COMMIT; when it fails, each is applied alone as below, so one event's failure is its own;
 * - failures are retried in place (exponential backoff, full jitter), which keeps the partition's
 *   order; after the last attempt, or at once for a permanent failure, the message goes to the
 *   dead-letter topic with the error and its origin in headers, and the partition moves on;
 * - an outage (the database or the registry unreachable, see `isOutage`) is not the message's
 *   fault: it is retried for as long as it lasts, without spending the message's attempts, so a
 *   database restart delays the partition and dead-letters nothing;
 * - a failure that says it clears by itself within a window (`retryForMs`: the event waits for
 *   another consumer to catch up) is retried for that long before it spends attempts;
 * - an offset is resolved only after its effect (or its dead letter) is durable, so a crash
 *   redelivers rather than loses; resolved offsets are committed to Kafka at most once per
 *   `offsetCommitIntervalMs`, and at once after a dead letter, at a rebalance and at `stop()`, so a
 *   crash redelivers at most that interval's events, each a duplicate for the inbox;
 * - `stop()` lets the message (or the batch transaction) in hand finish (a retry wait is cut short
 *   and the message is left for redelivery), commits, and disconnects;
 * - liveness (`ConsumerLiveness`): a short session, so a killed instance's partitions move to
 *   another member within seconds; heartbeats while a handler runs or waits to retry, so a slow
 *   one keeps its partitions; a watchdog that restarts a consumer that stopped making progress
 *   without crashing, which fails readiness meanwhile.
 */
export class EventConsumer<Events extends object, Tx extends SqlExecutor> {
  private readonly deadLetterProducer: ReplaceableProducer;
  private readonly retry: RetryPolicy;
  private readonly liveness: ConsumerLiveness;
  private readonly offsetCommitIntervalMs: number;
  /** Commits what an idle consumer handled last: kafkajs calls a batch only when there are messages. */
  private offsetCommitTimer: NodeJS.Timeout | undefined;
  private readonly stopController = new AbortController();
  /** The kafkajs consumer running now; undefined before the start, while restarting and once stopped. */
  private run: ConsumerRun | undefined;
  private restarting = false;
  private watchdog: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  /** Why the consumer is not consuming now (not started, crashed or stalled and restarting, stopped); undefined while it runs. */
  private notRunningBecause: string | undefined = 'not started';

  constructor(private readonly options: EventConsumerOptions<Events, Tx>) {
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.liveness = { ...defaultConsumerLiveness, ...options.liveness };
    this.offsetCommitIntervalMs = options.offsetCommitIntervalMs ?? DEFAULT_OFFSET_COMMIT_INTERVAL_MS;
    // Replaced after any failed send, like the outbox relay's: a dead letter is never sent by a
    // producer whose sequence numbers kafkajs rolled back.
    this.deadLetterProducer = new ReplaceableProducer(options.kafka, {
      purpose: `dead letters of ${options.groupId}`,
      logger: options.logger,
    });
  }

  /**
   * Resolves once the consumer is connected and subscribed, without waiting for its group join:
   * a join waits for the group's rebalance, and a rebalance for every member to rejoin, a killed
   * one until its session expires. A restarted instance serves meanwhile (see `checkRunning`).
   */
  async start(): Promise<void> {
    await untilClusterSettles('create the dead-letter topic', () =>
      ensureTopics(this.options.kafka, [this.options.deadLetterTopic], {
        ...this.options.deadLetterTopicSettings,
        retentionMs: this.options.deadLetterTopicSettings.retentionMs ?? UNLIMITED_RETENTION_MS,
      }),
    );
    await untilClusterSettles('connect', () => this.deadLetterProducer.connect());
    await this.startRun();
    this.watchdog = setInterval(
      () => this.checkProgress(),
      Math.min(1_000, this.liveness.stallTimeoutMs / 4),
    );
    this.watchdog.unref();
    if (this.offsetCommitIntervalMs > 0) {
      this.offsetCommitTimer = setInterval(() => {
        const run = this.run;
        run?.offsets?.commitIfDue().catch((error: unknown) => this.commitFailed(run, 'interval', error));
      }, this.offsetCommitIntervalMs);
      this.offsetCommitTimer.unref();
    }
  }

  /** Connects a new kafkajs consumer, subscribes it and sets it running (not waiting for the join). */
  private async startRun(): Promise<void> {
    const { kafka, groupId, topics } = this.options;
    const { sessionTimeoutMs, heartbeatIntervalMs, rebalanceTimeoutMs } = this.liveness;
    const run: ConsumerRun = {
      consumer: kafka.consumer({
        groupId,
        sessionTimeout: sessionTimeoutMs,
        heartbeatInterval: heartbeatIntervalMs,
        rebalanceTimeout: rebalanceTimeoutMs,
        // kafkajs heartbeats between fetches: an idle fetch comes back within one interval, so an
        // idle member heartbeats on time and hears of a rebalance within one interval.
        maxWaitTimeInMs: heartbeatIntervalMs,
        // kafkajs restarts a consumer after a retriable crash; never one that was given up or stopped.
        retry: { restartOnFailure: async () => this.run === run },
      }),
      progress: new ConsumerProgress(),
      givenUp: new AbortController(),
    };
    const { consumer } = run;
    for (const event of PROGRESS_EVENTS) consumer.on(consumer.events[event], () => run.progress.progressed());
    consumer.on(consumer.events.COMMIT_OFFSETS, () => this.options.observer?.committed?.());
    // kafkajs is about to rejoin: what this member handled is committed in the generation ending, so
    // the partitions' next owner does not handle it again. Best effort: a commit that reaches the
    // coordinator after the new generation began is refused, and those events are redelivered.
    consumer.on(consumer.events.REBALANCING, () => {
      if (this.run !== run) return;
      run.offsets?.commitNow().catch((error: unknown) => this.commitFailed(run, 'rebalance', error));
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      run.offsets = undefined;
      if (this.run !== run || payload.restart) return; // given up already, or kafkajs restarts it itself
      this.restart('crash', `crashed (${payload.error.message})`, payload.error);
    });
    try {
      await untilClusterSettles('connect', () => consumer.connect());
      // A new group starts from the beginning: every event ever published applies to it (read models
      // are rebuilt that way); an existing group resumes from its committed offsets.
      await untilClusterSettles('subscribe', () =>
        consumer.subscribe({ topics: [...topics], fromBeginning: true }),
      );
      this.stopController.signal.throwIfAborted();
    } catch (error) {
      await consumer
        .disconnect()
        .catch((failure: unknown) =>
          this.options.logger.warn(
            { err: failure, groupId },
            'a consumer that did not start did not disconnect',
          ),
        );
      throw error;
    }
    run.progress.progressed(); // connecting may have taken a while; the watchdog counts from here
    this.run = run;
    consumer
      .run({
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
        eachBatchAutoResolve: false,
        // The consumer commits itself (see the class comment); kafkajs would after every batch.
        autoCommit: false,
        autoCommitInterval: this.offsetCommitIntervalMs,
        eachBatch: async (payload) => {
          const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
          // Each batch's, since kafkajs's own restart after a crash brings new bookkeeping.
          run.offsets = {
            commitNow: () => payload.commitOffsetsIfNecessary(payload.uncommittedOffsets()),
            commitIfDue: () => payload.commitOffsetsIfNecessary(),
          };
          let deadLettered = false;
          const { messages } = batch;
          const resolved = (message: KafkaMessage) => {
            resolveOffset(message.offset);
            this.options.observer?.lag?.(
              batch.topic,
              batch.partition,
              Math.max(0, Number(batch.highWatermark) - Number(message.offset) - 1),
            );
          };
          let next = 0; // the first message not applied yet
          // Messages before this index are applied alone: unfit for a batch transaction, or theirs failed.
          let aloneUntil = 0;
          for (const [index, message] of messages.entries()) {
            if (index < next) continue; // applied in a batch transaction
            if (
              !isRunning() ||
              isStale() ||
              run.givenUp.signal.aborted ||
              this.stopController.signal.aborted
            ) {
              break;
            }
            if (this.options.transactionPerBatch && index >= aloneUntil && messages.length - index > 1) {
              const together = await this.applyTogether(
                run,
                batch.topic,
                batch.partition,
                messages.slice(index, index + MAX_EVENTS_PER_TRANSACTION),
                heartbeat,
              );
              if ('applied' in together) {
                next = index + together.applied;
                messages.slice(index, next).forEach(resolved);
                await heartbeat();
                continue;
              }
              aloneUntil = index + together.alone;
            }
            const outcome = await this.inMessageSpan(batch.topic, batch.partition, message, () =>
              this.handleWithRetries(run, batch.topic, batch.partition, message, heartbeat),
            );
            deadLettered ||= outcome === 'dead-lettered';
            next = index + 1;
            resolved(message);
            await heartbeat();
          }
          if (run.givenUp.signal.aborted) return; // its offsets are redelivered: the run may be stuck
          // At once after a dead letter (a crash must not send it again: the inbox does not know it)
          // and when stopping (kafkajs commits nothing once it stops running); else once per interval.
          const mustCommitNow = deadLettered || !isRunning() || this.stopController.signal.aborted;
          await (mustCommitNow ? run.offsets.commitNow() : run.offsets.commitIfDue());
        },
      })
      // run() reports join and fetch failures as CRASH events; what it throws itself is a misuse.
      .catch((error: unknown) => this.restart('crash', 'could not run', error));
    this.notRunningBecause = undefined;
  }

  /** The watchdog's tick: a run that stopped making progress is restarted (see `ConsumerProgress`). */
  private checkProgress(): void {
    const stall = this.restarting ? undefined : this.run?.progress.stall(this.liveness.stallTimeoutMs);
    if (stall) this.restart('stall', `stalled: ${stall}`);
  }

  /**
   * Gives the current run up and starts a new one, with backoff, until one starts or the consumer
   * is stopped; readiness fails meanwhile. kafkajs restarts a crashed consumer only when the error
   * is marked retriable; otherwise it disconnects and stays down while the process goes on serving,
   * ready, consuming nothing (seen in a chaos run: the broker restarted during a rebalance and two
   * services' groups stopped). And a consumer whose fetch loop or handler hangs neither crashes nor
   * recovers. A consumer is this service's reason to exist, so it runs again.
   *
   * The run given up is disconnected in the background, since its fetch or its handler may never
   * end. Its message in hand was not committed, so it is redelivered; if its effect commits after
   * all, the redelivery is a duplicate for the inbox.
   */
  private restart(cause: 'crash' | 'stall', reason: string, error?: unknown): void {
    if (this.restarting || this.stopController.signal.aborted) return;
    this.restarting = true;
    this.notRunningBecause = `${reason}; restarting`;
    const { groupId, logger, observer } = this.options;
    logger.error(
      { err: error, groupId, reason },
      `consumer ${cause === 'crash' ? 'crashed' : 'stalled'}; restarting it`,
    );
    observer?.restarted?.(cause);
    const givenUp = this.run;
    this.run = undefined;
    if (givenUp) {
      givenUp.givenUp.abort(new ConsumerStopping('the consumer run was given up'));
      givenUp.consumer
        .disconnect()
        .catch((failure: unknown) =>
          logger.warn({ err: failure, groupId }, 'a consumer run given up did not disconnect cleanly'),
        );
    }
    void (async () => {
      for (let retry = 1; !this.stopController.signal.aborted; retry++) {
        try {
          await this.pause(backoffDelayMs(this.retry, retry) + 1_000, this.stopController.signal);
          await this.startRun();
          this.restarting = false; // before anything else can happen: the new run may crash too
          logger.warn({ groupId, cause }, 'consumer running again');
          return;
        } catch (failure) {
          if (failure instanceof ConsumerStopping) return;
          logger.error({ err: failure, groupId, retry }, 'consumer restart failed; trying again');
        }
      }
    })().finally(() => (this.restarting = false));
  }

  /**
   * Resolves while the consumer runs; rejects with the reason when it does not: not started,
   * stopped, or restarting after a crash or a stall (for readiness: an instance whose consumer is
   * down should not count as serving). A consumer still joining its group runs: the join waits
   * for a rebalance, which may wait for a killed member's session to expire, and the instance
   * serves meanwhile; a join that never ends is a stall, which the watchdog restarts.
   */
  async checkRunning(): Promise<void> {
    if (this.notRunningBecause !== undefined) {
      throw new Error(`consumer group ${this.options.groupId}: ${this.notRunningBecause}`);
    }
  }

  /** Stops for good (see the class comment); a second call waits for the same stop. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    this.notRunningBecause = 'stopped';
    this.stopController.abort(new ConsumerStopping('consumer is stopping'));
    clearInterval(this.watchdog);
    clearInterval(this.offsetCommitTimer);
    const run = this.run;
    this.run = undefined;
    // What was handled before the stop; a batch still running commits its own when it ends.
    await run?.offsets?.commitNow().catch((error: unknown) => this.commitFailed(run, 'stop', error));
    await run?.consumer.disconnect();
    await this.deadLetterProducer.close();
  }

  /** One CONSUMER span per message, a child of the producer's span carried in the headers. */
  private inMessageSpan<Result>(
    topic: string,
    partition: number,
    message: KafkaMessage,
    work: () => Promise<Result>,
  ): Promise<Result> {
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
      work,
    );
  }

  /**
   * Applies the leading `messages` that decode to events with a handler of the transaction's (or
   * none) in one transaction, their inbox rows claimed in one statement (`transactionPerBatch`), and
   * returns how many. Fewer than two such events, or a transaction that failed, leave that many
   * messages (at least one) to be applied alone, where a failure is retried and dead-lettered as the
   * message's own. One attempt for the watchdog, heartbeating meanwhile; each handler runs in its
   * message's span and log context, as alone.
   */
  private applyTogether(
    run: ConsumerRun,
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
    heartbeat: () => Promise<void>,
  ): Promise<{ applied: number } | { alone: number }> {
    return run.progress.attempt(async () => {
      const started = Date.now();
      const together: TogetherItem<Tx>[] = [];
      for (const message of messages) {
        let event: ConsumedEvent;
        try {
          event = await this.decode({ topic, partition, offset: message.offset }, message);
        } catch {
          break; // alone, it is retried or dead-lettered
        }
        const handler = this.handlerOf(event.type);
        if (handler !== undefined && isExternalEffectHandler(handler)) break;
        together.push({ message, event, handler });
      }
      const claims = together.filter((item) => item.handler !== undefined).map(({ event }) => event);
      if (claims.length < 2) return { alone: Math.max(1, together.length) };
      const keepAlive = this.keepAlive(run, heartbeat);
      let outcomes: { event: ConsumedEvent; outcome: HandlingOutcome }[];
      try {
        outcomes = await this.options.runInTransaction((tx) =>
          this.applyInTransaction(topic, partition, together, claims, tx),
        );
      } catch (error) {
        this.options.logger[error instanceof AlreadyApplied ? 'debug' : 'info'](
          { err: error, topic, partition, offset: together[0]?.message.offset, events: together.length },
          'a batch transaction failed; its events are applied one by one',
        );
        return { alone: together.length };
      } finally {
        keepAlive.stop();
      }
      const durationMs = Date.now() - started;
      for (const { event, outcome } of outcomes) {
        this.options.observer?.handled?.({ type: event.type, topic }, outcome, durationMs);
      }
      return { applied: together.length };
    });
  }

  /** `applyTogether`'s transaction: the claims, then each handler in order; an outcome per item. */
  private async applyInTransaction(
    topic: string,
    partition: number,
    together: readonly TogetherItem<Tx>[],
    claims: readonly ConsumedEvent[],
    tx: Tx,
  ): Promise<{ event: ConsumedEvent; outcome: HandlingOutcome }[]> {
    // Sent, not waited for: the first handler's statements follow it on the connection and share
    // its round trip, as an event's alone do; the handlers after it run once it has answered.
    const claim = claimInboxEntries(
      tx,
      this.options.groupId,
      claims.map((event) => ({ eventId: event.eventId, eventType: event.type })),
    );
    claim.catch(() => undefined); // awaited below; this only keeps it from counting as unhandled meanwhile
    let claimed: Set<number> | undefined;
    if (this.options.lockBatch) {
      await this.options.lockBatch(claims as AnyConsumedEvent<Events>[], tx);
      claimed = await claim; // answered before the locks were
    }
    let position = 0; // in `claims`
    const outcomes: { event: ConsumedEvent; outcome: HandlingOutcome }[] = [];
    for (const { message, event, handler } of together) {
      if (!handler) {
        outcomes.push({ event, outcome: 'ignored' });
        continue;
      }
      const index = position++;
      if (claimed !== undefined && !claimed.has(index)) {
        outcomes.push({ event, outcome: 'duplicate' });
        continue;
      }
      await this.inMessageSpan(topic, partition, message, () =>
        withLogContext(this.logContextOf(event), () => handler(event, tx)),
      );
      if (claimed === undefined) {
        claimed = await claim;
        // The first ran before the answer: if it was a duplicate, its writes are rolled back with
        // the transaction and it is applied alone, which tells a duplicate apart (a redelivery
        // after a crash or a rebalance: rare).
        if (!claimed.has(index)) throw new AlreadyApplied();
      }
      outcomes.push({ event, outcome: 'processed' });
    }
    return outcomes;
  }

  /**
   * Decode, apply, and on failure retry or dead-letter one message. Each try (and the dead letter's
   * send) is an attempt for the watchdog; a wait between tries is not.
   */
  private async handleWithRetries(
    run: ConsumerRun,
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<HandlingOutcome> {
    const started = Date.now();
    const origin = { topic, partition, offset: message.offset };
    let described = { type: 'unknown', topic };
    let budget: RetryBudget | undefined; // made at the first failure: most messages never fail
    const keepAlive = this.keepAlive(run, heartbeat);
    try {
      for (;;) {
        try {
          const outcome = await run.progress.attempt(async () => {
            const event = await this.decode(origin, message);
            described = { type: event.type, topic };
            return this.apply(event);
          });
          this.options.observer?.handled?.(described, outcome, Date.now() - started);
          return outcome;
        } catch (error) {
          if (error instanceof ConsumerStopping) throw error;
          budget ??= new RetryBudget(this.retry, FAILURE_CLASSIFICATION);
          const next = budget.afterFailure(error);
          if (next.action === 'dead-letter') {
            await run.progress.attempt(() => this.deadLetter(origin, message, next.attempts, error));
            this.options.observer?.handled?.(described, 'dead-lettered', Date.now() - started);
            return 'dead-lettered';
          }
          const { because, retry, delayMs } = next;
          this.options.observer?.retried?.(described, retry, error);
          this.options.logger[because === 'waiting' ? 'info' : 'warn'](
            { err: error, ...origin, because, retry, delayMs },
            RETRY_MESSAGES[because],
          );
          await heartbeat();
          await this.pause(
            delayMs,
            AbortSignal.any([this.stopController.signal, run.givenUp.signal, keepAlive.heartbeatFailed]),
          );
          await heartbeat();
        }
      }
    } finally {
      keepAlive.stop();
    }
  }

  /**
   * Heartbeats every interval while one message is handled or waits to retry. kafkajs heartbeats
   * only between messages, so a handler slower than the session (a slow SMTP server, a long
   * outage retried in place) would get the member evicted and its partitions handed to another,
   * which would handle the same message again. A heartbeat that fails (a rebalance began, the
   * member was evicted) aborts `heartbeatFailed` with its error, which ends a retry wait at once:
   * the message is left for redelivery and kafkajs rejoins the group, rather than keeping the
   * whole group waiting. Stops by itself when the run is given up.
   */
  private keepAlive(
    run: ConsumerRun,
    heartbeat: () => Promise<void>,
  ): { heartbeatFailed: AbortSignal; stop(): void } {
    const heartbeatFailed = new AbortController();
    const timer = setInterval(() => {
      heartbeat().catch((error: unknown) => heartbeatFailed.abort(error));
    }, this.liveness.heartbeatIntervalMs);
    const stop = () => clearInterval(timer);
    run.givenUp.signal.addEventListener('abort', stop, { once: true });
    return {
      heartbeatFailed: heartbeatFailed.signal,
      stop: () => {
        stop();
        run.givenUp.signal.removeEventListener('abort', stop);
      },
    };
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

  /** The group's handler of an event type; undefined for a type it does not handle. */
  private handlerOf(
    type: string,
  ): EventHandler<Tx, ConsumedEvent> | ExternalEffectHandler<Tx, ConsumedEvent> | undefined {
    return (
      this.options.handlers as Record<
        string,
        EventHandler<Tx, ConsumedEvent> | ExternalEffectHandler<Tx, ConsumedEvent> | undefined
      >
    )[type];
  }

  /** Every log line written while handling names the event (and what it is about: `logFields`). */
  private logContextOf(event: ConsumedEvent): Record<string, string> {
    const payload = event.payload as { correlationId?: unknown };
    return {
      eventId: event.eventId,
      eventType: event.type,
      ...(typeof payload.correlationId === 'string' && { correlationId: payload.correlationId }),
      ...this.options.logFields?.(event),
    };
  }

  private async apply(event: ConsumedEvent): Promise<HandlingOutcome> {
    const handler = this.handlerOf(event.type);
    if (!handler) {
      // Topics carry several event types; a group handles the ones it cares about.
      this.options.logger.debug({ eventType: event.type, eventId: event.eventId }, 'no handler; skipped');
      return 'ignored';
    }
    const inboxEntry = { consumerGroup: this.options.groupId, eventId: event.eventId, eventType: event.type };
    const { runInTransaction } = this.options;
    return withLogContext(this.logContextOf(event), async (): Promise<HandlingOutcome> => {
      try {
        let applyInTransaction: RecordInTransaction<Tx>;
        if (isExternalEffectHandler(handler)) {
          // The claim commits behind the inbox check, so a redelivery is recognised before the
          // effect is performed, and its claim is rolled back.
          const claimed = await runInTransaction((tx) =>
            unlessApplied(hasInboxEntry(tx, inboxEntry), () => handler.claim(event, tx)),
          );
          applyInTransaction = await handler.perform(claimed, event);
        } else {
          applyInTransaction = (tx) => handler(event, tx);
        }
        return await runInTransaction(async (tx) => {
          // The inbox row's insert waits behind a concurrent delivery's until that one commits
          // (this one is then the duplicate) or rolls back.
          const applied = claimInboxEntry(tx, inboxEntry).then((inserted) => !inserted);
          await unlessApplied(applied, () => applyInTransaction(tx));
          return 'processed' as const;
        });
      } catch (error) {
        if (error instanceof AlreadyApplied) return 'duplicate';
        throw error;
      }
    });
  }

  /**
   * A commit that failed loses nothing: the offsets stay resolved and the next commit carries them,
   * or, if the partitions moved, their next owner handles those events again (duplicates for the inbox).
   */
  private commitFailed(run: ConsumerRun, when: 'interval' | 'rebalance' | 'stop', error: unknown): void {
    if (this.run !== run && when !== 'stop') return; // a run given up meanwhile
    this.options.logger.warn(
      { err: error, groupId: this.options.groupId, when },
      'offsets not committed; they are committed with the next ones, or redelivered',
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

  /**
   * Waits `ms`; an abort of `signal` ends the wait with its reason (`stop()`, a run given up, a
   * failed heartbeat), and the message in hand is left for redelivery.
   */
  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
