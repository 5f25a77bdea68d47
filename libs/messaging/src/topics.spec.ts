import { type Admin, type Kafka } from 'kafkajs';

import { unknownTopicOrPartition as notYet } from './testing/kafka-errors.fixture';
import { ensureTopics } from './topics';

/**
 * A broker whose metadata catches up with a new topic only at the third question about it, as a
 * KRaft broker's metadata cache may (CI saw it on one broker). kafkajs's `waitForLeaders` asks once
 * and gives up on that answer, which is what `createTopics` does here when asked to wait.
 */
function brokerSlowToKnowNewTopics(): { kafka: Kafka; created: string[] } {
  const created: string[] = [];
  let metadataAsks = 0;
  const whenKnown = async (topics: string[]) => {
    metadataAsks += 1;
    if (metadataAsks < 3) throw notYet();
    return { topics: topics.map((name) => ({ name, partitions: [] })) };
  };
  const admin: Partial<Admin> = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => [...created],
    createTopics: async ({ topics, waitForLeaders }) => {
      created.push(...topics.map(({ topic }) => topic));
      if (waitForLeaders) await whenKnown(topics.map(({ topic }) => topic));
      return true;
    },
    fetchTopicMetadata: async (options) => whenKnown(options?.topics ?? []),
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, created };
}

describe('ensureTopics', () => {
  it('when the broker does not know a topic it has just created yet, then it waits for it rather than failing', async () => {
    const broker = brokerSlowToKnowNewTopics();

    const report = await ensureTopics(broker.kafka, ['orders'], { partitions: 3, replicationFactor: 1 });

    expect(report).toEqual([{ topic: 'orders', action: 'created' }]);
    expect(broker.created).toEqual(['orders']);
  });
});
