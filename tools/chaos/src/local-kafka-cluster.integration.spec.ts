import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  freePort,
  kafkaPartitionPlacement,
  localInfraDown,
  localInfraStatus,
  localInfraUp,
  localKafkaBrokerKill,
  localKafkaBrokerStart,
  type LocalInfraOptions,
  type PartitionPlacement,
} from '@ecommerce/local-infra';
import { KafkaPublisher, readTopicSetting, type Kafka } from '@ecommerce/messaging';
import { createRawKafka, startRawTopicReader } from '@ecommerce/messaging/testing';
import { waitFor } from '@ecommerce/test-infra';

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.destroy() && resolve(true));
    socket.once('error', () => resolve(false));
  });
}

/** Waits on a condition, as the cluster's changes take seconds (a fenced broker: its session timeout). */
const until = <T>(description: string, probe: () => Promise<T | undefined>) =>
  waitFor(description, probe, { timeoutMs: 60_000, intervalMs: 200 });

/** The Kafka node processes of the cluster still running, as local-infra sees them. */
async function runningNodes(options: LocalInfraOptions): Promise<(number | undefined)[]> {
  return (await localInfraStatus(options)).kafkaNodes
    .filter((node) => node.running)
    .map((node) => node.nodeId);
}

const TOPIC = 'orders-durability';
const PARTITIONS = 3;

/**
 * Here rather than in infra/local (which it tests): it needs a Kafka client, which infra/local
 * cannot use (see infra/local/src/kafka-metadata.ts), and it is the behaviour the chaos run's
 * broker loss relies on.
 *
 * SPEC section 10 on the local infrastructure: three KRaft nodes (each a broker and a controller)
 * from the same Maven artifacts, on free ports with a private state folder, so the shared stack is
 * never touched. The Kafka release is the run's (LOCAL_KAFKA_VERSION, 3.9.2 by default).
 */
describe('local Kafka cluster of three brokers', () => {
  let options: LocalInfraOptions;
  let stateDir: string;
  let kafka: Kafka;
  let publisher: KafkaPublisher | undefined;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'local-kafka-cluster-test-'));
    const ports = async () => [await freePort(), await freePort(), await freePort()];
    options = {
      stateDir,
      kafkaBrokerCount: 3,
      kafkaPort: await ports(),
      kafkaControllerPort: await ports(),
      schemaRegistryPort: await freePort(),
      databases: [],
      log: () => undefined,
    };
  });

  afterAll(async () => {
    await publisher?.close();
    await localInfraDown(options);
    await rm(stateDir, { recursive: true, force: true });
  });

  const placement = () => kafkaPartitionPlacement(clusterBrokers(), [TOPIC]);
  const clusterBrokers = () => (options.kafkaPort as number[]).map((port) => `127.0.0.1:${port}`).join(',');
  // The relays' producer: idempotent, acks=all (all in-sync replicas, and at least
  // min.insync.replicas of them), one request in flight.
  const send = (from: number, count: number) =>
    (publisher ??= new KafkaPublisher(kafka)).publish(
      Array.from({ length: count }, (_, index) => ({
        topic: TOPIC,
        key: `order-${from + index}`,
        payload: Buffer.from(String(from + index)),
        headers: {},
      })),
    );

  it('when the cluster is up, then every topic it makes has three replicas and needs two in sync', async () => {
    const up = await localInfraUp(options);
    expect(up).toMatchObject({ startedNow: true, kafkaBrokers: clusterBrokers(), kafkaReplicationFactor: 3 });
    const status = await localInfraStatus(options);
    expect(status.kafkaNodes.map((node) => [node.nodeId, node.running])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);

    kafka = createRawKafka({ clientId: 'cluster-test', brokers: up.kafkaBrokers.split(',') });
    const admin = kafka.admin();
    await admin.connect();
    try {
      // As a service creates its topics: the partitions and KAFKA_REPLICATION_FACTOR, nothing else.
      await admin.createTopics({
        waitForLeaders: false, // kafkajs's own wait gives up on the first UNKNOWN_TOPIC_OR_PARTITION
        topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: up.kafkaReplicationFactor }],
      });
      // Leaders are elected after the topic exists, and a new cluster's brokers learn of the topic
      // one by one: a broker asked too early (for metadata or for the topic's configuration, which
      // kafkajs asks of any broker) answers "does not host this topic-partition" (seen in CI).
      const configs = await until('every partition led, and the topic configuration readable', async () => {
        const metadata = await admin.fetchTopicMetadata({ topics: [TOPIC] }).catch(() => undefined);
        const partitions = metadata?.topics[0]?.partitions ?? [];
        if (partitions.length !== PARTITIONS || partitions.some((p) => p.leader < 0)) return undefined;
        return readTopicSetting(kafka, [TOPIC], 'min.insync.replicas').catch(() => undefined);
      });
      expect(configs).toEqual({ [TOPIC]: '2' });
    } finally {
      await admin.disconnect();
    }
    for (const partition of await placement()) {
      expect([...partition.replicas].sort()).toEqual([1, 2, 3]);
      expect([...partition.inSyncReplicas].sort()).toEqual([1, 2, 3]);
    }
  }, 240_000);

  it('when the leader of a partition is killed with SIGKILL, then writes with acks=all go on and every acknowledged message is read back', async () => {
    await send(0, 100);

    const [first] = await placement();
    const victim = first?.leader ?? -1;
    const killed = await localKafkaBrokerKill(options, victim);
    expect(killed).toEqual([expect.objectContaining({ nodeId: victim, outcome: 'killed' })]);
    expect(await runningNodes(options)).not.toContain(victim);
    expect(await portAnswers((options.kafkaPort as number[])[victim - 1] ?? 0)).toBe(false);

    // The controller fences the dead broker when its session expires, then moves leadership to an
    // in-sync replica; until then its partitions have no reachable leader.
    const moved = await until('every partition led by a live broker, with two in-sync replicas', async () => {
      const now = await placement();
      const settled = (partition: PartitionPlacement) =>
        partition.leader !== victim && partition.leader !== -1 && !partition.inSyncReplicas.includes(victim);
      return now.length === PARTITIONS && now.every(settled) ? now : undefined;
    });
    expect(moved.map((partition) => partition.inSyncReplicas.length)).toEqual([2, 2, 2]);

    // Two in-sync replicas meet min.insync.replicas=2: acks=all is still accepted.
    await send(100, 100);

    const read = new Set<string>();
    const reader = await startRawTopicReader(kafka, {
      groupId: 'cluster-test-reader',
      topics: [TOPIC],
      onBatch: async ({ messages }) => {
        for (const message of messages) read.add(message.value?.toString() ?? '');
      },
    });
    try {
      await until('all 200 acknowledged messages read back', async () =>
        read.size === 200 ? true : undefined,
      );
    } finally {
      await reader.stop();
    }
    expect([...read].map(Number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, index) => index),
    );
  }, 240_000);

  it('when the killed broker is started again, then it rejoins on its data and catches up into every in-sync replica set', async () => {
    const killedNode = (await localInfraStatus(options)).kafkaNodes.find((node) => !node.running);
    expect(killedNode).toBeDefined();
    const nodeId = killedNode?.nodeId ?? -1;

    expect(await localKafkaBrokerStart(options, nodeId)).toBe(true);
    await until(`node ${nodeId} back in every in-sync replica set`, async () => {
      const now = await placement();
      return now.every((partition) => partition.inSyncReplicas.includes(nodeId)) ? true : undefined;
    });
    expect(await localKafkaBrokerStart(options, nodeId)).toBe(false);
  }, 240_000);

  it('when brought down, then no process of the cluster is left and every port is closed', async () => {
    const status = await localInfraStatus(options);
    const pids = [...status.kafkaNodes.map((node) => node.pid), status.schemaRegistry.pid];
    expect(pids.every((pid) => pid !== undefined)).toBe(true);

    await publisher?.close();
    publisher = undefined;
    const stopped = await localInfraDown(options);
    expect(stopped.map((component) => component.pid).sort()).toEqual([...pids].sort());
    expect(await runningNodes(options)).toEqual([]);
    const ports = [
      ...(options.kafkaPort as number[]),
      ...(options.kafkaControllerPort as number[]),
      options.schemaRegistryPort as number,
    ];
    expect((await Promise.all(ports.map(portAnswers))).filter(Boolean)).toEqual([]);
    expect((await localInfraStatus(options)).kafkaNodes.filter((node) => node.running)).toEqual([]);
  }, 240_000);
});
