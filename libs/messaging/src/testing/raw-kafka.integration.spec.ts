import { randomUUID } from 'node:crypto';

import { testInfrastructure, waitFor } from '@ecommerce/test-infra';

import { withKafkaAdmin } from '../kafka-admin';
import { parseBrokers } from '../kafka-client';
import { createRawKafka, startRawTopicReader } from './raw-kafka';

describe('startRawTopicReader, against the broker', () => {
  it('when a reader has read a topic and stopped, then its group committed no offset: a reader costs the broker its fetches only', async () => {
    const kafka = createRawKafka({
      clientId: 'raw-reader-test',
      brokers: parseBrokers(testInfrastructure().kafkaBrokers),
    });
    const topic = `test.${randomUUID().slice(0, 8)}.raw-reader`;
    const groupId = `${topic}.reader`;
    await withKafkaAdmin(kafka, (admin) =>
      admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
      }),
    );
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: ['a', 'b', 'c'].map((value) => ({ key: 'k', value })) });
    await producer.disconnect();

    const read: string[] = [];
    const reader = await startRawTopicReader(kafka, {
      groupId,
      topics: [topic],
      onBatch: async ({ messages }) => {
        read.push(...messages.map((message) => String(message.value)));
      },
    });
    await waitFor('the reader to read the three records', () => read.length === 3);
    // Disconnecting waits for the batch in hand, and for anything kafkajs does after it.
    await reader.stop();

    expect(read).toEqual(['a', 'b', 'c']);
    const offsets = await withKafkaAdmin(kafka, (admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
    expect(offsets).toEqual([{ topic, partitions: [{ partition: 0, offset: '-1', metadata: null }] }]);
  });
});
