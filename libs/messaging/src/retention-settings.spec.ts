import { ConfigError } from '@ecommerce/config';

import { assertInboxOutlivesTopics, retentionSettings } from './retention-settings';

const DAY_MS = 86_400_000;

describe('retentionSettings', () => {
  it('when nothing is set, then topics, dead letters and the inbox all keep everything', () => {
    expect(retentionSettings({})).toEqual({ topicMs: -1, deadLetterMs: -1, inboxMs: -1 });
  });

  it('when the inbox keeps rows at least as long as the topics keep events, then the settings are taken', () => {
    expect(
      retentionSettings({
        KAFKA_TOPIC_RETENTION_MS: 30 * DAY_MS,
        KAFKA_DEAD_LETTER_RETENTION_MS: -1,
        INBOX_RETENTION_MS: 37 * DAY_MS,
      }),
    ).toEqual({ topicMs: 30 * DAY_MS, deadLetterMs: -1, inboxMs: 37 * DAY_MS });
    expect(retentionSettings({ KAFKA_TOPIC_RETENTION_MS: DAY_MS, INBOX_RETENTION_MS: -1 }).inboxMs).toBe(-1);
  });

  it('when the inbox would forget events the topics still hold, then it refuses, naming both settings', () => {
    const shorter = () =>
      retentionSettings({ KAFKA_TOPIC_RETENTION_MS: 7 * DAY_MS, INBOX_RETENTION_MS: DAY_MS });
    expect(shorter).toThrow(ConfigError);
    expect(shorter).toThrow(/INBOX_RETENTION_MS=86400000 is shorter than KAFKA_TOPIC_RETENTION_MS=604800000/);
    expect(() => retentionSettings({ INBOX_RETENTION_MS: DAY_MS })).toThrow(
      /INBOX_RETENTION_MS=86400000 is shorter than KAFKA_TOPIC_RETENTION_MS=-1 \(unlimited\)/,
    );
  });

  it('when a retention is 0, then it refuses it: Kafka would delete every event at once', () => {
    expect(() => retentionSettings({ KAFKA_DEAD_LETTER_RETENTION_MS: 0 })).toThrow(
      /KAFKA_DEAD_LETTER_RETENTION_MS must be -1 \(unlimited\) or a positive number of milliseconds, not 0/,
    );
  });
});

describe('assertInboxOutlivesTopics', () => {
  it('when every topic on the broker keeps events no longer than the inbox keeps rows, then it passes', () => {
    expect(() =>
      assertInboxOutlivesTopics(DAY_MS, [
        { topic: 'a', retentionMs: DAY_MS },
        { topic: 'b', retentionMs: 1_000 },
        { topic: 'c' },
      ]),
    ).not.toThrow();
    expect(() => assertInboxOutlivesTopics(-1, [{ topic: 'a', retentionMs: -1 }])).not.toThrow();
  });

  it('when a topic keeps events longer, or for ever, then it refuses, naming each such topic and INBOX_RETENTION_MS', () => {
    const check = () =>
      assertInboxOutlivesTopics(DAY_MS, [
        { topic: 'orders', retentionMs: -1 },
        { topic: 'catalog', retentionMs: 2 * DAY_MS },
        { topic: 'payments', retentionMs: DAY_MS },
      ]);
    expect(check).toThrow(ConfigError);
    expect(check).toThrow(
      /retention.ms=-1 \(unlimited\) that topic orders[\s\S]*retention.ms=172800000 that topic catalog/,
    );
    expect(check).not.toThrow(/payments/);
  });
});
