import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import { keyOf, topicName, type EventCodec, type OutboxStatusReported } from '@ecommerce/contracts';
import type { KafkaPublisher } from '@ecommerce/messaging';
import { EVENT_HEADERS } from '@ecommerce/outbox';
import { Pool } from 'pg';

/** What one sample of the outbox says. */
export interface OutboxStatusSample {
  pendingEvents: number;
  oldestPendingAgeMs: number;
  /** null: this outbox has no quarantine (no `quarantined_at` column). */
  quarantinedEvents: number | null;
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
 * The quarantine of undeliverable outbox rows (SPEC 6) marks a row with `quarantined_at`; an outbox
 * without that column has no quarantine, and its samples say `null` rather than a 0 that would
 * claim something. The column is looked up, not assumed, so the samples count quarantined rows
 * from the first migration that adds it, with no change here.
 */
const HAS_QUARANTINE_SQL = `SELECT EXISTS (
  SELECT 1 FROM information_schema.columns
  WHERE table_schema = current_schema() AND table_name = 'outbox' AND column_name = 'quarantined_at'
) AS has_quarantine`;

const SAMPLE_SQL = `SELECT count(*)::int AS pending,
  coalesce(extract(epoch FROM now() - min(created_at)) * 1000, 0)::bigint AS oldest_age_ms
  FROM outbox WHERE published_at IS NULL`;

const SAMPLE_WITH_QUARANTINE_SQL = `SELECT
  count(*) FILTER (WHERE quarantined_at IS NULL)::int AS pending,
  coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE quarantined_at IS NULL)) * 1000, 0)::bigint AS oldest_age_ms,
  count(*) FILTER (WHERE quarantined_at IS NOT NULL)::int AS quarantined
  FROM outbox WHERE published_at IS NULL`;

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
  private hasQuarantine: boolean | undefined;
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

  /** Takes one sample of the outbox table. */
  async sample(): Promise<OutboxStatusSample> {
    this.hasQuarantine ??= (await this.pool.query<{ has_quarantine: boolean }>(HAS_QUARANTINE_SQL)).rows[0]
      ?.has_quarantine;
    const { rows } = await this.pool.query<{ pending: number; oldest_age_ms: string; quarantined?: number }>(
      this.hasQuarantine ? SAMPLE_WITH_QUARANTINE_SQL : SAMPLE_SQL,
    );
    const row = rows[0];
    return {
      pendingEvents: row?.pending ?? 0,
      oldestPendingAgeMs: Number(row?.oldest_age_ms ?? 0),
      quarantinedEvents: this.hasQuarantine ? (row?.quarantined ?? 0) : null,
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
