import { randomUUID } from 'node:crypto';

import { testInfrastructure, waitFor } from '@ecommerce/test-infra';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';

import { createKafka, parseBrokers } from './kafka-client';
import { ensureTopics, UNLIMITED_RETENTION_MS } from './topics';

const DAY_MS = 86_400_000;

/** A topic's own settings as the broker reports them (describeConfigs), by name. */
async function topicConfig(admin: Admin, topic: string): Promise<Record<string, string>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
  });
  return Object.fromEntries((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
}

describe('ensureTopics and retention, read back from the broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  const prefix = `test.${randomUUID().slice(0, 8)}.`;

  beforeAll(async () => {
    kafka = createKafka({
      clientId: 'topics-test',
      brokers: parseBrokers(testInfrastructure().kafkaBrokers),
    });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
  });

  /** A topic made by hand, as an operator or an older release of the services left it. */
  async function existingTopic(name: string, configEntries: { name: string; value: string }[]) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: name, numPartitions: 1, replicationFactor: 1, configEntries }],
    });
  }

  it('when a topic is created with unlimited or a given retention, then the broker reports that retention.ms', async () => {
    const forever = `${prefix}forever`;
    const month = `${prefix}month`;
    await expect(
      ensureTopics(kafka, [forever], {
        partitions: 1,
        replicationFactor: 1,
        retentionMs: UNLIMITED_RETENTION_MS,
      }),
    ).resolves.toEqual([{ topic: forever, action: 'created', retentionMs: -1 }]);
    await ensureTopics(kafka, [month], { partitions: 1, replicationFactor: 1, retentionMs: 30 * DAY_MS });

    expect((await topicConfig(admin, forever))['retention.ms']).toBe('-1');
    expect((await topicConfig(admin, month))['retention.ms']).toBe(String(30 * DAY_MS));
  });

  it('when an existing topic keeps messages for a shorter time than asked, then its retention is raised and its other settings kept', async () => {
    const topic = `${prefix}short-lived`;
    await existingTopic(topic, [
      { name: 'retention.ms', value: String(DAY_MS) },
      { name: 'max.message.bytes', value: '2000000' },
    ]);

    const report = await ensureTopics(kafka, [topic], {
      partitions: 1,
      replicationFactor: 1,
      retentionMs: UNLIMITED_RETENTION_MS,
    });

    expect(report).toEqual([{ topic, action: 'raised', retentionMs: -1, previousRetentionMs: DAY_MS }]);
    // A topic's configuration reaches the broker that answers describeConfigs through the cluster's
    // metadata, a moment after the change is acknowledged (seen on Kafka 4.3.2 in CI): read it back
    // with a deadline.
    const config = await waitFor('the raised retention to be read back', async () => {
      const current = await topicConfig(admin, topic);
      return current['retention.ms'] === '-1' ? current : undefined;
    });
    expect(config['retention.ms']).toBe('-1');
    expect(config['max.message.bytes']).toBe('2000000');
    // A second start finds it as asked.
    await expect(
      ensureTopics(kafka, [topic], {
        partitions: 1,
        replicationFactor: 1,
        retentionMs: UNLIMITED_RETENTION_MS,
      }),
    ).resolves.toEqual([{ topic, action: 'unchanged', retentionMs: -1 }]);
  });

  it('when an existing topic keeps messages longer than asked, then it is left as it is and reported, never shortened', async () => {
    const topic = `${prefix}kept`;
    await existingTopic(topic, [{ name: 'retention.ms', value: '-1' }]);

    const report = await ensureTopics(kafka, [topic], {
      partitions: 1,
      replicationFactor: 1,
      retentionMs: 7 * DAY_MS,
    });

    expect(report).toEqual([{ topic, action: 'kept-longer', retentionMs: -1 }]);
    expect((await topicConfig(admin, topic))['retention.ms']).toBe('-1');
  });

  it('when no retention is asked for, then an existing topic is not looked at and a new one takes the broker default', async () => {
    const topic = `${prefix}broker-default`;
    await expect(ensureTopics(kafka, [topic], { partitions: 1, replicationFactor: 1 })).resolves.toEqual([
      { topic, action: 'created' },
    ]);
    await expect(ensureTopics(kafka, [topic], { partitions: 1, replicationFactor: 1 })).resolves.toEqual([
      { topic, action: 'unchanged' },
    ]);
  });
});
