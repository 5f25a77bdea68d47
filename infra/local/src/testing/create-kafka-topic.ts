import { kafkaRequest } from '../kafka-wire';

/**
 * Creates a topic with the broker's default replication (CreateTopics v2, which Kafka 3.9 and 4.x
 * both accept), for this project's own tests, which cannot use a Kafka client (see kafka-metadata.ts).
 */
export async function createKafkaTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const response = await kafkaRequest(
    bootstrap,
    {
      apiKey: 19,
      version: 2,
      body: (writer) => {
        writer.int32(1).string(topic).int32(partitions).int16(-1); // replication factor: the broker's
        writer.int32(0).int32(0); // no replica assignment, no configs
        writer.int32(30_000).int8(0); // timeout, validate only: no
      },
    },
    30_000,
  );
  response.int32(); // throttle time
  const [result] = response.array(() => ({
    name: response.string(),
    errorCode: response.int16(),
    message: response.string(),
  }));
  if (result?.errorCode !== 0)
    throw new Error(`creating topic ${topic} failed: error ${result?.errorCode} ${result?.message ?? ''}`);
}
