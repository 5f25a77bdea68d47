import type { Admin, Kafka } from 'kafkajs';

/** One partition a consumer group reads: where the group is and where the log ends. */
export interface PartitionPosition {
  topic: string;
  partition: number;
  /** Next offset the group will read; -1 when it has committed nothing on this partition yet. */
  committed: number;
  /** The log's first and next offsets. */
  low: number;
  high: number;
  /** Messages the group has not handled yet. */
  lag: number;
}

export interface ConsumerGroupPositions {
  /** The Kafka group id (`<prefix><name>`). */
  groupId: string;
  partitions: PartitionPosition[];
}

export interface TopicEnds {
  topic: string;
  partitions: { partition: number; low: number; high: number }[];
}

/**
 * Where each consumer group of one system stands on the topics it reads, from Kafka itself: the
 * groups whose id starts with `groupPrefix`, their committed offsets and the topics' ends. A topic
 * counts as read by a group once the group committed an offset on any of its partitions; a
 * partition with no commit yet counts from the log's start. Groups that committed nothing (a
 * read model that stores no offsets, a group that never got a message) are left out.
 */
export async function readConsumerGroupPositions(
  admin: Admin,
  options: { groupPrefix: string; topics: readonly string[] },
): Promise<ConsumerGroupPositions[]> {
  const existing = new Set(await admin.listTopics());
  const topics = options.topics.filter((topic) => existing.has(topic));
  const ends = new Map<string, TopicEnds['partitions']>();
  for (const topic of topics) ends.set(topic, await topicEnds(admin, topic));
  const { groups } = await admin.listGroups();
  const groupIds = groups
    .map((group) => group.groupId)
    .filter((groupId) => groupId.startsWith(options.groupPrefix))
    .sort();
  const result: ConsumerGroupPositions[] = [];
  for (const groupId of groupIds) {
    const committed = await admin.fetchOffsets({ groupId, topics });
    const partitions = committed.flatMap(({ topic, partitions: offsets }) => {
      if (!offsets.some(({ offset }) => Number(offset) >= 0)) return []; // not a topic of this group
      return offsets.map(({ partition, offset }) => {
        const end = ends.get(topic)?.find((candidate) => candidate.partition === partition);
        const low = end?.low ?? 0;
        const high = end?.high ?? 0;
        const position = Number(offset);
        return {
          topic,
          partition,
          committed: position,
          low,
          high,
          lag: Math.max(0, high - (position >= 0 ? Math.max(position, low) : low)),
        };
      });
    });
    if (partitions.length > 0) result.push({ groupId, partitions });
  }
  return result;
}

/** The first and next offset of each partition of a topic. */
export async function topicEnds(admin: Admin, topic: string): Promise<TopicEnds['partitions']> {
  return (await admin.fetchTopicOffsets(topic)).map(({ partition, low, high }) => ({
    partition,
    low: Number(low),
    high: Number(high),
  }));
}

/**
 * A long-lived admin connection for read models that watch the cluster (lag, dead-letter counts),
 * so the caller needs no Kafka client of its own.
 */
export class ClusterWatch {
  private admin: Admin | undefined;

  constructor(private readonly kafka: Kafka) {}

  private async connected(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  async consumerGroupPositions(options: {
    groupPrefix: string;
    topics: readonly string[];
  }): Promise<ConsumerGroupPositions[]> {
    return readConsumerGroupPositions(await this.connected(), options);
  }

  /** Every topic whose name starts with `prefix`, with how many messages it holds now. */
  async topicSizes(prefix: string): Promise<{ topic: string; messages: number }[]> {
    const admin = await this.connected();
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)).sort();
    const sizes: { topic: string; messages: number }[] = [];
    for (const topic of topics) {
      const ends = await topicEnds(admin, topic);
      sizes.push({ topic, messages: ends.reduce((sum, { low, high }) => sum + (high - low), 0) });
    }
    return sizes;
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
    this.admin = undefined;
  }
}
