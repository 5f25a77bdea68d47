import type { Kafka } from 'kafkajs';

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates the topics that do not exist yet, with the configured partitions and replication
 * factor; existing topics are left as they are. Safe to run at every start and from several
 * instances at once.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  settings: TopicSettings,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length === 0) return [];
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: settings.partitions,
          replicationFactor: settings.replicationFactor,
        })),
      });
    } catch (error) {
      // Another instance created some of them first; anything else is a real failure.
      const errors = (error as { errors?: { type?: string }[] }).errors;
      if (!errors?.every((e) => e.type === 'TOPIC_ALREADY_EXISTS')) throw error;
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
