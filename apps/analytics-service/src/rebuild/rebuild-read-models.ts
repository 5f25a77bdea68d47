import { topicName } from '@ecommerce/contracts';
import type { EventBackbone } from '@ecommerce/event-backbone';

import { projectedTopics } from '../consumers/order-events.consumer';
import type { AnalyticsDatabase } from '../persistence/analytics-database';

export interface RebuildReport {
  groupId: string;
  topics: string[];
  inboxRowsDeleted: number;
}

/**
 * Makes the consumer group `groupId` rebuild the read models from the start of the topics:
 *
 * 1. its offsets on every projected topic go back to the earliest. Kafka refuses this while a
 *    member of the group is running, so a running service stops the rebuild here, before anything
 *    is deleted;
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
  groupId: string;
}): Promise<RebuildReport> {
  const { db, backbone, groupId } = deps;
  const topics = projectedTopics.map((topic) => topicName(topic, backbone.topicPrefix));

  const admin = backbone.kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: true });
  } finally {
    await admin.disconnect();
  }

  const inboxRowsDeleted = await db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('TRUNCATE order_fact_lines, order_facts');
    return tx.$executeRawUnsafe('DELETE FROM inbox WHERE consumer_group = $1', groupId);
  });
  return { groupId, topics, inboxRowsDeleted };
}
