import { kafkaRequest, type KafkaReader, type KafkaWriter } from './kafka-wire';

/**
 * The cluster's metadata as one broker answers a Metadata request, spoken over a plain socket.
 *
 * Why not a Kafka client: kafkajs is imported by libs/messaging only (a lint rule enforces it), and
 * this project cannot use that library: messaging's tests run on the test harness, which starts its
 * Kafka through this project, so the dependency would be a cycle (and `type:tool` projects may not
 * use messaging anyway). The Kafka distribution's own CLI (kafka-broker-api-versions, kafka-topics)
 * would need a JVM per readiness probe, a second or more of CPU twice a second on a machine that is
 * booting the brokers meanwhile. The question asked here is one request and one answer: Metadata v6,
 * the version kafkajs 2.2.4 itself negotiates with Kafka 3.9 and 4.x (KIP-896 kept v4 and up).
 */
export interface ClusterMetadata {
  /** The live (registered, unfenced) brokers, at the addresses the listener asked advertises. */
  readonly brokers: readonly { readonly nodeId: number; readonly host: string; readonly port: number }[];
  readonly topics: readonly TopicMetadata[];
}

export interface TopicMetadata {
  readonly name: string;
  readonly partitions: readonly {
    readonly partition: number;
    /** -1 while the partition has no leader. */
    readonly leader: number;
    readonly replicas: readonly number[];
    readonly inSyncReplicas: readonly number[];
  }[];
}

const UNKNOWN_TOPIC_OR_PARTITION = 3;

/**
 * Asks the broker at `bootstrap` (`host:port`) for the cluster's brokers and the metadata of
 * `topics`: all topics when undefined, none when empty. Rejects when the broker cannot be reached
 * or answered no complete response within `timeoutMs`, and when a topic asked for does not exist.
 */
export async function readClusterMetadata(
  bootstrap: string,
  topics: readonly string[] | undefined,
  timeoutMs: number,
): Promise<ClusterMetadata> {
  const response = await kafkaRequest(
    bootstrap,
    { apiKey: 3, version: 6, body: (writer) => writeMetadataRequest(writer, topics) },
    timeoutMs,
  );
  return readMetadataResponse(response);
}

function writeMetadataRequest(writer: KafkaWriter, topics: readonly string[] | undefined): void {
  if (topics === undefined) writer.int32(-1);
  else {
    writer.int32(topics.length);
    for (const topic of topics) writer.string(topic);
  }
  writer.int8(0); // allow_auto_topic_creation: never (the brokers do not allow it either)
}

function readMetadataResponse(reader: KafkaReader): ClusterMetadata {
  reader.int32(); // throttle time
  const brokers = reader.array(() => {
    const nodeId = reader.int32();
    const host = reader.string() ?? '';
    const port = reader.int32();
    reader.string(); // rack
    return { nodeId, host, port };
  });
  reader.string(); // cluster id
  reader.int32(); // controller id
  const topics = reader.array(() => {
    const errorCode = reader.int16();
    const name = reader.string() ?? '';
    reader.int8(); // is internal
    const partitions = reader.array(() => {
      reader.int16(); // a partition's error (no leader, a replica offline) shows in its fields
      const partition = reader.int32();
      const leader = reader.int32();
      const replicas = reader.array(() => reader.int32());
      const inSyncReplicas = reader.array(() => reader.int32());
      reader.array(() => reader.int32()); // offline replicas
      return { partition, leader, replicas, inSyncReplicas };
    });
    if (errorCode !== 0) {
      const reason = errorCode === UNKNOWN_TOPIC_OR_PARTITION ? 'does not exist' : `error code ${errorCode}`;
      throw new Error(`Kafka metadata of topic ${name}: ${reason}`);
    }
    return { name, partitions };
  });
  return { brokers, topics };
}
