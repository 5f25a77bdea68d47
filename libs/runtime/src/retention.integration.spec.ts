import { randomUUID } from 'node:crypto';

import { ConfigError } from '@ecommerce/config';
import { allTopics, topicName } from '@ecommerce/contracts';
import {
  createKafka,
  deadLetterTopic,
  ensureTopics,
  parseBrokers,
  readTopicSetting,
  type Kafka,
} from '@ecommerce/messaging';
import {
  createPgTransactions,
  createTestDatabase,
  testInfrastructure,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import pino from 'pino';

import { startEventBackbone, type EventBackbone, type EventBackboneSettings } from './event-backbone';

const DAY_MS = 86_400_000;
const logger = pino({ level: 'silent' });

describe('retention of topics, dead letters and the inbox, as a service starts them', () => {
  let database: TestDatabase;
  let db: PgTransactions;
  let kafka: Kafka;
  const backbones: EventBackbone[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
  });

  afterEach(async () => {
    await Promise.all(backbones.splice(0).map((backbone) => backbone.stop()));
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  function settings(overrides: Partial<EventBackboneSettings> = {}): EventBackboneSettings {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    return {
      KAFKA_BROKERS: kafkaBrokers,
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
      TOPIC_PREFIX: `test.${randomUUID().slice(0, 8)}.`,
      KAFKA_TOPIC_PARTITIONS: 1,
      KAFKA_REPLICATION_FACTOR: 1,
      ...overrides,
    };
  }

  async function start(backboneSettings: EventBackboneSettings): Promise<EventBackbone> {
    const backbone = await startEventBackbone({
      serviceName: 'retention-test',
      settings: backboneSettings,
      databaseUrl: database.url,
      logger,
      publishesEvents: false,
    });
    backbones.push(backbone);
    kafka = backbone.kafka;
    return backbone;
  }

  /** Starts a consumer group, which creates its dead-letter topic; returns that topic. */
  async function consumeOrders(backbone: EventBackbone): Promise<string> {
    const group = `retention-${randomUUID().slice(0, 8)}`;
    await backbone.consume({
      groupId: group,
      topics: ['orders'],
      handlers: {},
      runInTransaction: db.runInTransaction,
      logger,
    });
    return deadLetterTopic(backbone.topicPrefix, group);
  }

  /** `retention.ms` of each topic, as the broker reports it (describeConfigs). */
  const retentionOf = (topics: readonly string[]) => readTopicSetting(kafka, topics, 'retention.ms');

  const every = (topics: readonly string[], value: string) =>
    Object.fromEntries(topics.map((topic) => [topic, value]));

  it('when nothing is configured, then event topics and dead-letter topics keep their messages without limit', async () => {
    const backbone = await start(settings());
    const deadLetters = await consumeOrders(backbone);

    const eventTopics = allTopics(backbone.topicPrefix);
    expect(await retentionOf(eventTopics)).toEqual(every(eventTopics, '-1'));
    expect(await retentionOf([deadLetters])).toEqual({ [deadLetters]: '-1' });
  });

  it('when retentions are configured, then the broker reports them on the event topics and the dead-letter topic', async () => {
    const backbone = await start(
      settings({ KAFKA_TOPIC_RETENTION_MS: 30 * DAY_MS, KAFKA_DEAD_LETTER_RETENTION_MS: 90 * DAY_MS }),
    );
    const deadLetters = await consumeOrders(backbone);

    const eventTopics = allTopics(backbone.topicPrefix);
    expect(await retentionOf(eventTopics)).toEqual(every(eventTopics, String(30 * DAY_MS)));
    expect(await retentionOf([deadLetters])).toEqual({ [deadLetters]: String(90 * DAY_MS) });
  });

  it('when event topics were left on the broker’s default retention by an older release, then a start raises them to the setting', async () => {
    const backboneSettings = settings();
    const orders = topicName('orders', backboneSettings.TOPIC_PREFIX);
    const catalog = topicName('catalog', backboneSettings.TOPIC_PREFIX);
    const olderRelease = createKafka({
      clientId: 'older-release',
      brokers: parseBrokers(backboneSettings.KAFKA_BROKERS),
    });
    // As releases before the setting created them: no retention.ms of their own, so the broker's
    // (7 days unless changed); and one an operator had set to a day.
    await ensureTopics(olderRelease, [orders], { partitions: 1, replicationFactor: 1 });
    await ensureTopics(olderRelease, [catalog], { partitions: 1, replicationFactor: 1, retentionMs: DAY_MS });

    await start(backboneSettings);

    expect(await retentionOf([orders, catalog])).toEqual({ [orders]: '-1', [catalog]: '-1' });
  });

  describe('the inbox', () => {
    const groupRows = async (group: string) =>
      (
        await db.query<{ event_id: string }>(
          'SELECT event_id FROM inbox WHERE consumer_group = $1 ORDER BY event_id',
          [group],
        )
      ).map((row) => row.event_id);

    it('when INBOX_RETENTION_MS is finite, then rows older than it are deleted while the service consumes, and newer ones kept', async () => {
      const group = `pruned-${randomUUID()}`;
      const expired = [randomUUID(), randomUUID(), randomUUID()];
      const recent = [randomUUID(), randomUUID()].sort();
      for (const [eventId, age] of [
        ...expired.map((id) => [id, '2 days'] as const),
        ...recent.map((id) => [id, '1 hour'] as const),
      ]) {
        await db.query(
          `INSERT INTO inbox (consumer_group, event_id, event_type, processed_at)
           VALUES ($1, $2::uuid, 'OrderPlaced', now() - $3::interval)`,
          [group, eventId, age],
        );
      }
      const backbone = await start(
        settings({ KAFKA_TOPIC_RETENTION_MS: DAY_MS, INBOX_RETENTION_MS: DAY_MS }),
      );

      await consumeOrders(backbone);

      await waitFor(
        'the sweep to delete the expired rows',
        async () => (await groupRows(group)).length === 2,
      );
      expect(await groupRows(group)).toEqual(recent);
    });

    it('when INBOX_RETENTION_MS is shorter than KAFKA_TOPIC_RETENTION_MS, or finite while the topics keep events for ever, then the start is refused naming both', async () => {
      await expect(
        start(settings({ KAFKA_TOPIC_RETENTION_MS: 7 * DAY_MS, INBOX_RETENTION_MS: DAY_MS })),
      ).rejects.toThrow(ConfigError);
      await expect(
        start(settings({ KAFKA_TOPIC_RETENTION_MS: 7 * DAY_MS, INBOX_RETENTION_MS: DAY_MS })),
      ).rejects.toThrow(/INBOX_RETENTION_MS=86400000 is shorter than KAFKA_TOPIC_RETENTION_MS=604800000/);
      await expect(start(settings({ INBOX_RETENTION_MS: DAY_MS }))).rejects.toThrow(
        /INBOX_RETENTION_MS=86400000 is shorter than KAFKA_TOPIC_RETENTION_MS=-1 \(unlimited\)/,
      );
    });

    it('when a topic on the broker keeps events longer than the inbox would remember them, then the start is refused naming the topic', async () => {
      const backboneSettings = settings({ KAFKA_TOPIC_RETENTION_MS: DAY_MS, INBOX_RETENTION_MS: DAY_MS });
      // A previous start with unlimited topics; a service never shortens them.
      await start({ ...backboneSettings, KAFKA_TOPIC_RETENTION_MS: -1, INBOX_RETENTION_MS: -1 });

      const refused = start(backboneSettings);

      await expect(refused).rejects.toThrow(ConfigError);
      await expect(refused).rejects.toThrow(
        new RegExp(
          `INBOX_RETENTION_MS=86400000 is shorter than the retention.ms=-1 \\(unlimited\\) that topic ${backboneSettings.TOPIC_PREFIX.replace(/\./g, '\\.')}orders`,
        ),
      );
    });
  });
});
