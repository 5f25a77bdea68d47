import { topicName } from '@ecommerce/contracts';
import { consumerGroupId, forgetInboxEntriesOf, type EventBackbone } from '@ecommerce/runtime';
import { conflict } from '@ecommerce/http-server';

import { projectedTopics } from '../consumers/order-events.consumer';
import type { AnalyticsDatabase } from '../persistence/analytics-database';

export interface RebuildReport {
  /** The Kafka consumer group whose offsets went back to zero. */
  groupId: string;
  topics: string[];
  inboxRowsDeleted: number;
}

/** A partition whose first events are gone: retention or an operator deleted them. */
export interface TruncatedPartition {
  topic: string;
  partition: number;
  /** The offset of the first event the partition still holds (above 0). */
  logStartOffset: string;
}

/**
 * Makes the consumer group `group` rebuild the read models from the start of the topics:
 *
 * 1. its offsets on every projected topic go back to the earliest. Kafka refuses this while a
 *    member of the group is running, so a running consumer stops the rebuild here, before anything
 *    is deleted: a 409 (`CONSUMER_GROUP_ACTIVE`) naming the group. (The state is read first for that
 *    answer; a member joining in between is still refused by Kafka, as an error.)
 *    A topic that no longer holds every event it was given stops it too (409
 *    `TOPIC_HISTORY_INCOMPLETE`, naming each partition that starts above offset 0): replayed onto
 *    empty tables, it would silently lose the orders whose events are gone, where the read models
 *    still count them. Kafka deletes from the start of a partition only (retention, DeleteRecords),
 *    so a log start offset of 0 on every partition means nothing was deleted. (The topics are
 *    created with KAFKA_TOPIC_RETENTION_MS, unlimited by default, so this takes a deliberate act.)
 * 2. in one transaction, the projections are emptied and the group's inbox rows deleted (they
 *    would make every replayed event a duplicate).
 *
 * In that order, a failure in between leaves a consistent state: offsets at zero over intact facts
 * and inbox replays as duplicates, changing nothing; run the rebuild again. The other order could
 * leave empty facts with the group resuming mid-topic. The next consumer of the group replays
 * every event onto empty tables and, the projections taking every value from the events, ends
 * with the same read models.
 */
export async function rebuildReadModels(deps: {
  db: AnalyticsDatabase;
  backbone: Pick<EventBackbone, 'kafka' | 'topicPrefix'>;
  /** The group's name in the system (the service's name); its Kafka id carries the topic prefix. */
  group: string;
}): Promise<RebuildReport> {
  const { db, backbone } = deps;
  const groupId = consumerGroupId(backbone.topicPrefix, deps.group);
  const topics = projectedTopics.map((topic) => topicName(topic, backbone.topicPrefix));

  const admin = backbone.kafka.admin();
  await admin.connect();
  try {
    const [group] = (await admin.describeGroups([groupId])).groups;
    if (group && group.state !== 'Empty' && group.state !== 'Dead') {
      throw conflict({
        code: 'CONSUMER_GROUP_ACTIVE',
        detail: `Consumer group ${groupId} has running members (${group.state}); stop the other instances of the service, then rebuild.`,
        extensions: { groupId, runningMembers: group.members.length },
      });
    }
    const truncated = await truncatedPartitions(admin, topics);
    if (truncated.length > 0) {
      const where = truncated
        .map(
          ({ topic, partition, logStartOffset }) =>
            `${topic} partition ${partition} starts at offset ${logStartOffset}`,
        )
        .join('; ');
      throw conflict({
        code: 'TOPIC_HISTORY_INCOMPLETE',
        detail: `The topics no longer hold every event (${where}): a rebuild would lose the orders whose events were deleted, so nothing was changed. Rebuild only from topics that keep every event (KAFKA_TOPIC_RETENTION_MS=-1).`,
        extensions: { truncatedPartitions: truncated },
      });
    }
    for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: true });
  } finally {
    await admin.disconnect();
  }

  const inboxRowsDeleted = await db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('TRUNCATE order_fact_lines, order_facts');
    return forgetInboxEntriesOf(tx, groupId);
  });
  return { groupId, topics, inboxRowsDeleted };
}

async function truncatedPartitions(
  admin: ReturnType<EventBackbone['kafka']['admin']>,
  topics: readonly string[],
): Promise<TruncatedPartition[]> {
  const truncated: TruncatedPartition[] = [];
  for (const topic of topics) {
    for (const { partition, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(low) > 0n) truncated.push({ topic, partition, logStartOffset: low });
    }
  }
  return truncated.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
