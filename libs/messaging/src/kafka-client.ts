import { createLogger } from '@ecommerce/telemetry';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type LogEntry,
  type ProducerConfig,
  type SASLOptions,
} from 'kafkajs';

import { fixNegativeTimeoutInRequestQueue } from './kafkajs-request-queue-fix';

// kafkajs 2.2.4 on Node 24 schedules negative timeouts (TimeoutNegativeWarning); fixed where it
// happens, once, before any client exists. See kafkajs-request-queue-fix.ts.
fixNegativeTimeoutInRequestQueue();

/** Where kafkajs's own log lines go: the service's pino logger (or anything with its four methods). */
export interface KafkaLogger {
  /** pino's level name; kafkajs builds debug lines only when the logger would write them. */
  level?: string;
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/**
 * kafkajs is imported by this library only, so the client can be replaced in one place.
 */
export interface KafkaConnectionSettings {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  sasl?: SASLOptions;
  /** kafkajs's own logs; default: a pino logger at `warn` named after the client. */
  logger?: KafkaLogger;
}

export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

/**
 * kafkajs producers created without a partitioner print a one-time notice that kafkajs 2.0 changed
 * its default. The default (Java-compatible murmur2) is the one this system means, so it is named
 * here for every producer, and kafkajs has nothing to warn about.
 */
class ProjectKafka extends Kafka {
  override producer(config?: ProducerConfig) {
    return super.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
  }
}

export function createKafka({ brokers, clientId, ssl, sasl, logger }: KafkaConnectionSettings): Kafka {
  const target = logger ?? createLogger(clientId, 'warn');
  return new ProjectKafka({
    brokers,
    clientId,
    // kafkajs filters before it builds a line: debug lines only when the logger writes them.
    logLevel: target.level === 'debug' || target.level === 'trace' ? logLevel.DEBUG : logLevel.INFO,
    logCreator: () => (entry) => writeKafkaLog(target, entry),
    // kafkajs's backoff doubles up to 30 s by default, and a consumer that ran out of retries waits
    // its last backoff again before it restarts: after a broker outage of a few seconds, the groups
    // sat idle for 10 s or more after the broker was back (seen in the chaos run, where that cost
    // orders their saga timeout). Capped at 2 s, a client finds the broker within 2 s of its return.
    retry: { retries: 5, maxRetryTime: 2_000 },
    ...(ssl && { ssl }),
    ...(sasl && { sasl }),
  });
}

/**
 * The error messages of the broker errors kafkajs itself retries (coordinator loading or moving,
 * leader elections, a topic not yet known to every broker...). kafkajs's connection logs every
 * error response at ERROR, also these, which are expected while a broker starts or a group forms;
 * the request is retried, and if the retries run out the call rejects, which the caller reports.
 */
const retriableBrokerErrors: ReadonlySet<string> = new Set(
  // Not part of kafkajs's typed API; kafkajs is pinned (2.2.4, its last release), and the spec of
  // this module fails if the table moves.
  (
    require('kafkajs/src/protocol/error') as { errorCodes: { message: string; retriable: boolean }[] }
  ).errorCodes
    .filter((code) => code.retriable)
    .map((code) => code.message),
);

/**
 * kafkajs warnings about choices this workspace made on purpose, demoted to debug (kafkajs repeats
 * them for every producer; they are not news at every start):
 * - idempotent producers run with the client's bounded retries, so a send fails rather than hangs
 *   while the broker is away; the relay and the consumers' dead-letter producer handle the failure,
 *   and exactly-once effects rest on the consumers' inbox, not on the producer (README, Delivery).
 */
const deliberateChoices: ReadonlySet<string> = new Set([
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

/** kafkajs's levels as pino's, with a retriable broker error demoted to debug (see above). */
export function kafkaLogLevel(entry: Pick<LogEntry, 'level' | 'log'>): 'debug' | 'info' | 'warn' | 'error' {
  const error = (entry.log as { error?: unknown }).error;
  if (typeof error === 'string' && retriableBrokerErrors.has(error)) return 'debug';
  if (deliberateChoices.has(entry.log.message)) return 'debug';
  switch (entry.level) {
    case logLevel.ERROR:
    case logLevel.NOTHING:
      return 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'info';
    default:
      return 'debug';
  }
}

function writeKafkaLog(logger: KafkaLogger, entry: LogEntry): void {
  // kafkajs's own timestamp and logger name add nothing to pino's line.
  const { message, timestamp: _timestamp, logger: _name, ...fields } = entry.log;
  logger[kafkaLogLevel(entry)]({ ...fields, kafkajs: entry.namespace }, message);
}

/** A long-lived admin connection used by readiness probes. */
export class KafkaHealth {
  private admin: Admin | undefined;

  constructor(private readonly kafka: Kafka) {}

  /** Resolves when the cluster answers a metadata request; rejects otherwise. */
  async check(): Promise<void> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const { brokers } = await this.admin.describeCluster();
    if (brokers.length === 0) throw new Error('Kafka cluster reports no brokers');
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
    this.admin = undefined;
  }
}
