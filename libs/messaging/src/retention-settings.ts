import { ConfigError } from '@ecommerce/config';

import { UNLIMITED_RETENTION_MS } from './topics';

/** The retention part of a service's validated configuration (see `serviceSettings`); unset: unlimited. */
export interface RetentionSettingValues {
  KAFKA_TOPIC_RETENTION_MS?: number;
  KAFKA_DEAD_LETTER_RETENTION_MS?: number;
  INBOX_RETENTION_MS?: number;
}

/** How long each store keeps what it holds, in ms; {@link UNLIMITED_RETENTION_MS} for ever. */
export interface Retention {
  /** `retention.ms` of the event topics. */
  topicMs: number;
  /** `retention.ms` of the dead-letter topics. */
  deadLetterMs: number;
  /** Age after which inbox rows are deleted; unlimited: never. */
  inboxMs: number;
}

const isUnlimited = (ms: number) => ms === UNLIMITED_RETENTION_MS;
const describe = (ms: number) => (isUnlimited(ms) ? '-1 (unlimited)' : `${ms}`);

/**
 * The retention settings, with the rule a schema cannot express on its own: the inbox remembers an
 * event at least as long as the topics can deliver it again. An inbox row is the only thing that
 * stops a redelivered event from being applied twice, and the topics can redeliver anything they
 * still hold (a consumer group reset to the earliest offset, a group whose committed offsets the
 * broker expired after `offsets.retention.minutes` starting over from the beginning). So
 * INBOX_RETENTION_MS may not be shorter than KAFKA_TOPIC_RETENTION_MS, and with topics that keep
 * events for ever the inbox keeps its rows for ever too. A bad combination stops the service at
 * start, naming both settings.
 */
export function retentionSettings(settings: RetentionSettingValues): Retention {
  const retention: Retention = {
    topicMs: settings.KAFKA_TOPIC_RETENTION_MS ?? UNLIMITED_RETENTION_MS,
    deadLetterMs: settings.KAFKA_DEAD_LETTER_RETENTION_MS ?? UNLIMITED_RETENTION_MS,
    inboxMs: settings.INBOX_RETENTION_MS ?? UNLIMITED_RETENTION_MS,
  };
  const problems: string[] = [];
  for (const [variable, ms] of [
    ['KAFKA_TOPIC_RETENTION_MS', retention.topicMs],
    ['KAFKA_DEAD_LETTER_RETENTION_MS', retention.deadLetterMs],
    ['INBOX_RETENTION_MS', retention.inboxMs],
  ] as const) {
    if (!isUnlimited(ms) && !(Number.isSafeInteger(ms) && ms > 0)) {
      problems.push(`${variable} must be -1 (unlimited) or a positive number of milliseconds, not ${ms}`);
    }
  }
  if (!isUnlimited(retention.inboxMs)) {
    if (isUnlimited(retention.topicMs)) {
      problems.push(
        `INBOX_RETENTION_MS=${describe(retention.inboxMs)} is shorter than KAFKA_TOPIC_RETENTION_MS=${describe(retention.topicMs)}: ` +
          'topics that keep events for ever can redeliver any of them, so the inbox must keep its rows for ever too (INBOX_RETENTION_MS=-1)',
      );
    } else if (retention.inboxMs < retention.topicMs) {
      problems.push(
        `INBOX_RETENTION_MS=${describe(retention.inboxMs)} is shorter than KAFKA_TOPIC_RETENTION_MS=${describe(retention.topicMs)}: ` +
          'the inbox would forget events the topics can still redeliver, and a redelivered one would be applied twice',
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return retention;
}

/**
 * The same rule against what the broker actually applies: `ensureTopics` never shortens a topic
 * that keeps events longer than KAFKA_TOPIC_RETENTION_MS, so such a topic can redeliver events the
 * inbox would have forgotten. Throws a ConfigError naming the topic and INBOX_RETENTION_MS.
 */
export function assertInboxOutlivesTopics(
  inboxMs: number,
  topics: readonly { topic: string; retentionMs?: number }[],
): void {
  if (isUnlimited(inboxMs)) return;
  const problems = topics
    .filter(
      ({ retentionMs }) => retentionMs !== undefined && (isUnlimited(retentionMs) || retentionMs > inboxMs),
    )
    .map(
      ({ topic, retentionMs }) =>
        `INBOX_RETENTION_MS=${inboxMs} is shorter than the retention.ms=${describe(retentionMs as number)} that topic ${topic} has on the broker ` +
        '(longer than KAFKA_TOPIC_RETENTION_MS, and never shortened by a service): raise INBOX_RETENTION_MS, or shorten the topic with kafka-configs',
    );
  if (problems.length > 0) throw new ConfigError(problems);
}
