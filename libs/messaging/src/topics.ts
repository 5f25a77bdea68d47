import { ConfigResourceTypes, ConfigSource, type Admin, type Kafka } from 'kafkajs';

import { untilClusterSettles } from './cluster-settling';
import { withKafkaAdmin } from './kafka-admin';

/** `retention.ms` of a topic that keeps its messages until they are deleted on purpose. */
export const UNLIMITED_RETENTION_MS = -1;

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  /**
   * The topic's `retention.ms`: how long Kafka keeps a message, {@link UNLIMITED_RETENTION_MS} for
   * ever. Unset: the broker's default (`log.retention.ms`, 7 days unless changed), and the
   * retention of an existing topic is not looked at.
   */
  retentionMs?: number;
}

/**
 * What `ensureTopics` found and did, per topic:
 * - `created`: it did not exist; created with the settings;
 * - `unchanged`: it exists with the retention asked for (or no retention was asked for);
 * - `raised`: it kept messages for a shorter time than asked; its retention was raised (see
 *   `ensureTopics` for why raising is safe and shortening is not);
 * - `kept-longer`: it keeps messages longer than asked; left as it is.
 */
export interface TopicRetention {
  topic: string;
  action: 'created' | 'unchanged' | 'raised' | 'kept-longer';
  /** `retention.ms` the broker applies to the topic now (its own or the broker's default); undefined when not asked. */
  retentionMs?: number;
  /** For `raised`: what it was before. */
  previousRetentionMs?: number;
}

const RETENTION_MS = 'retention.ms';

/** Orders retentions, unlimited (-1) being the longest. */
function keepsLongerThan(a: number, b: number): boolean {
  if (a === b) return false;
  if (a === UNLIMITED_RETENTION_MS) return true;
  if (b === UNLIMITED_RETENTION_MS) return false;
  return a > b;
}

/**
 * Creates the topics that do not exist yet, with the configured partitions, replication factor and
 * retention. Safe to run at every start and from several instances at once.
 *
 * An existing topic keeps its partitions and replication. Its retention, when one is asked for, is
 * made at least as long as asked, never shorter:
 * - shorter than asked: raised. The system relies on the retention it is configured with (a
 *   rebuild replays the topics from their start, a dead letter waits for an operator, the inbox is
 *   pruned on the assumption that the topics no longer hold what it forgets), and raising it
 *   deletes nothing, so a deployment upgraded from the broker's 7-day default gets what its
 *   settings say without a manual step.
 * - longer than asked: left as it is and reported (`kept-longer`), for the caller to warn about.
 *   Shortening deletes, at once and for every service, every message older than the new value: one
 *   instance started with a wrong setting must not be able to do that. An operator who means it
 *   changes the topic (`kafka-configs --alter`), deliberately.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  settings: TopicSettings,
): Promise<TopicRetention[]> {
  const wanted = [...new Set(topics)];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    const created = new Set(await createTopics(admin, missing, settings));
    const { retentionMs } = settings;
    if (retentionMs === undefined) {
      return wanted.map((topic) => ({ topic, action: created.has(topic) ? 'created' : 'unchanged' }));
    }
    // Topics another instance created first are checked like any existing one.
    const current = await retentionOf(
      admin,
      wanted.filter((topic) => !created.has(topic)),
    );
    const report: TopicRetention[] = [];
    for (const topic of wanted) {
      const before = current.get(topic);
      if (before === undefined) report.push({ topic, action: 'created', retentionMs });
      else if (before === retentionMs) report.push({ topic, action: 'unchanged', retentionMs });
      else if (keepsLongerThan(before, retentionMs))
        report.push({ topic, action: 'kept-longer', retentionMs: before });
      else {
        await raiseRetention(admin, topic, retentionMs);
        report.push({ topic, action: 'raised', retentionMs, previousRetentionMs: before });
      }
    }
    return report;
  } finally {
    await admin.disconnect();
  }
}

/** Creates `topics`; returns the ones this call created (another instance may create some first). */
async function createTopics(admin: Admin, topics: string[], settings: TopicSettings): Promise<string[]> {
  if (topics.length === 0) return [];
  const configEntries =
    settings.retentionMs === undefined ? [] : [{ name: RETENTION_MS, value: String(settings.retentionMs) }];
  let created = topics;
  try {
    await admin.createTopics({
      // kafkajs's own wait for leaders gives up on the first UNKNOWN_TOPIC_OR_PARTITION, which a
      // broker answers while its metadata has not caught up with the topic it just created (seen in
      // CI, on one broker): it is waited out below instead.
      waitForLeaders: false,
      topics: topics.map((topic) => ({
        topic,
        numPartitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
        configEntries,
      })),
    });
  } catch (error) {
    // Another instance created some of them first; anything else is a real failure.
    const errors = (error as { errors?: { type?: string; topic?: string }[] }).errors;
    if (!errors?.every((e) => e.type === 'TOPIC_ALREADY_EXISTS')) throw error;
    const takenByOthers = new Set(errors.map((e) => e.topic));
    created = topics.filter((topic) => !takenByOthers.has(topic));
  }
  await untilLed(admin, topics);
  return created;
}

/**
 * Waits until the broker asked knows every partition of `topics` with a leader: its metadata
 * answer fails with a retriable error (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE) until then.
 */
async function untilLed(admin: Admin, topics: readonly string[]): Promise<void> {
  await untilClusterSettles(
    'wait for the new topics to have leaders',
    () => admin.fetchTopicMetadata({ topics: [...topics] }),
    { timeoutMs: 30_000, initialDelayMs: 100, maxDelayMs: 1_000 },
  );
}

/** The `retention.ms` the broker applies to each topic: the topic's own, or the broker's default. */
async function retentionOf(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  const settings = await topicSettingOf(admin, topics, RETENTION_MS);
  return new Map(
    [...settings].map(([topic, value]) => {
      if (value === undefined) throw new Error(`the broker did not report ${RETENTION_MS} of topic ${topic}`);
      return [topic, Number(value)];
    }),
  );
}

/** One setting of each topic as the broker applies it (the topic's own, or the broker's default). */
async function topicSettingOf(
  admin: Admin,
  topics: readonly string[],
  name: string,
): Promise<Map<string, string | undefined>> {
  if (topics.length === 0) return new Map();
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((topic) => ({ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] })),
  });
  return new Map(
    resources.map((resource) => [
      resource.resourceName,
      resource.configEntries.find((entry) => entry.configName === name)?.configValue,
    ]),
  );
}

/**
 * One setting (`retention.ms`, `min.insync.replicas`...) of each of `topics`, as the broker reports
 * it: the topic's own value or the broker's default; undefined when the broker reports none.
 */
export async function readTopicSetting(
  kafka: Kafka,
  topics: readonly string[],
  name: string,
): Promise<Record<string, string | undefined>> {
  return Object.fromEntries(await withKafkaAdmin(kafka, (admin) => topicSettingOf(admin, topics, name)));
}

/**
 * Sets the topic's `retention.ms`, keeping every other setting the topic has of its own. kafkajs
 * speaks only the original AlterConfigs request, which replaces a topic's whole set of overrides
 * (IncrementalAlterConfigs, which changes one, it lacks), so the overrides are read first and sent
 * back with the new value. An override changed by someone else between the two requests would be
 * undone; for a retention raised once per topic, at a start, that window is accepted.
 */
async function raiseRetention(admin: Admin, topic: string, retentionMs: number): Promise<void> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
  });
  const overrides = (resources[0]?.configEntries ?? []).filter(
    (entry) => entry.configSource === ConfigSource.TOPIC_CONFIG && entry.configName !== RETENTION_MS,
  );
  // The broker does not return a sensitive value, so it could not be sent back: leave such a topic alone.
  const hidden = overrides.find((entry) => entry.isSensitive);
  if (hidden) {
    throw new Error(
      `topic ${topic} keeps messages for a shorter time than ${RETENTION_MS}=${retentionMs} asks, and its ` +
        `sensitive setting ${hidden.configName} would be lost by raising it here: raise it with kafka-configs`,
    );
  }
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: [
          ...overrides.map((entry) => ({ name: entry.configName, value: entry.configValue })),
          { name: RETENTION_MS, value: String(retentionMs) },
        ],
      },
    ],
  });
}
