import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import { keyOf, topicName, type EventCodec, type OutboxStatusReported } from '@ecommerce/contracts';
import type { KafkaPublisher } from '@ecommerce/messaging';
import { EVENT_HEADERS, readOutboxBacklog } from '@ecommerce/outbox';
import { Pool } from 'pg';

/** What one sample of the outbox says. */
export interface OutboxStatusSample {
  pendingEvents: number;
  oldestPendingAgeMs: number;
  /** Rows set aside by the relay after their last attempt (not counted as pending). */
  quarantinedEvents: number;
}

export interface OutboxStatusReporterOptions {
  serviceName: string;
  databaseUrl: string;
  codec: Pick<EventCodec, 'encode'>;
  publisher: Pick<KafkaPublisher, 'publish'>;
  topicPrefix: string;
  intervalMs: number;
  logger: {
    debug(object: object, message: string): void;
    info(object: object, message: string): void;
    warn(object: object, message: string): void;
  };
}

/**
 * Publishes an `OutboxStatusReported` sample of this service's outbox every `intervalMs`, to
 * `<prefix>operations` keyed by the service. SPEC 9 wants the order console built from events, not
 * by calling the services, and an outbox's backlog is exactly what never reaches Kafka by itself:
 * so the service states it as an event, as Kafka Connect states its connectors' status in a topic.
 *
 * - It reads the table itself, apart from the relay: a relay that is stuck (broker refusing a row,
 *   leader connection hung) keeps no fresh numbers, and a stuck relay is what the sample must show.
 * - Sent straight to Kafka, not through the outbox: the sample would otherwise sit in the backlog
 *   it measures. It is a sample, so a lost one costs nothing; the next follows in `intervalMs`.
 * - Every instance reports (they share the database, so they report the same rows); consumers keep
 *   the latest per service. A report that fails (database or Kafka away) is logged and skipped.
 */
export class OutboxStatusReporter {
  private readonly pool: Pool;
  private readonly instanceId = `${hostname()}:${process.pid}`;
  private timer: NodeJS.Timeout | undefined;
  private reporting: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly options: OutboxStatusReporterOptions) {
    this.pool = new Pool({
      connectionString: options.databaseUrl,
      max: 1,
      connectionTimeoutMillis: 5_000,
      statement_timeout: 5_000,
      idleTimeoutMillis: 0,
    });
    // An idle connection that breaks is reported here; the next sample opens a new one.
    this.pool.on('error', (error) => options.logger.debug({ err: error }, 'outbox status connection lost'));
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.reporting ??= this.reportOnce().finally(() => (this.reporting = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.reporting;
    await this.pool.end();
  }

  /** Takes one sample of the outbox table, with the relay's own backlog query. */
  async sample(): Promise<OutboxStatusSample> {
    // Through the pool, not a client checked out of it: a checked-out connection has no error
    // listener, and one broken mid-query (a database restart) would be an uncaught 'error'.
    const backlog = await readOutboxBacklog(this.pool);
    return {
      pendingEvents: backlog.waiting,
      oldestPendingAgeMs: Math.round(backlog.oldestAgeSeconds * 1_000),
      quarantinedEvents: backlog.quarantined,
    };
  }

  /** Samples and publishes once; failures are logged (once per failing streak), never thrown. */
  async reportOnce(): Promise<void> {
    const { serviceName, logger } = this.options;
    try {
      const event: OutboxStatusReported = {
        eventId: randomUUID(),
        occurredAt: Date.now(),
        correlationId: serviceName,
        causationId: null,
        service: serviceName,
        instanceId: this.instanceId,
        ...(await this.sample()),
        reportIntervalMs: this.options.intervalMs,
      };
      await this.options.publisher.publish([
        {
          topic: topicName('operations', this.options.topicPrefix),
          key: keyOf({ type: 'OutboxStatusReported', payload: event }),
          payload: await this.options.codec.encode('OutboxStatusReported', event),
          headers: {
            [EVENT_HEADERS.eventType]: 'OutboxStatusReported',
            [EVENT_HEADERS.eventId]: event.eventId,
          },
        },
      ]);
      if (this.failing) logger.info({}, 'outbox status reported again');
      this.failing = false;
    } catch (error) {
      // An outage shows in readiness and in the relay's own logs; one line per streak is enough here.
      if (!this.failing) logger.warn({ err: error }, 'outbox status not reported; retrying every interval');
      else logger.debug({ err: error }, 'outbox status still not reported');
      this.failing = true;
    }
  }
}
