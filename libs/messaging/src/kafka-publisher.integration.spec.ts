import { connect } from 'node:net';

import { FaultProxy } from '@ecommerce/fault-proxy';
import { freePort, testInfrastructure, waitFor } from '@ecommerce/test-infra';
import { Kafka, logLevel } from 'kafkajs';

import { createKafka, parseBrokers } from './kafka-client';
import { KafkaPublisher, MessagesRefusedError, type OutboundMessage } from './kafka-publisher';
import { createTestMessaging, type TestMessaging } from './testing';

/** The offsets' sum over a topic's partitions: how many messages it holds. */
async function messagesOn(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('KafkaPublisher on a real broker', () => {
  let messaging: TestMessaging;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    messaging = await createTestMessaging();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const message = (topic: string, key: string, bytes = 10): OutboundMessage => ({
    topic,
    key,
    payload: Buffer.alloc(bytes, 1),
    headers: {},
  });

  it('when the broker refuses one partition of a batch, then the next publish goes through a new producer instead of failing out of sequence for good', async () => {
    const normal = `${messaging.topicPrefix}normal`;
    const small = `${messaging.topicPrefix}small`;
    await messaging.createTopics([normal], 1);
    await messaging.createTopicWithConfig(small, 1, { 'max.message.bytes': '2048' });
    const publisher = new KafkaPublisher(messaging.kafka);
    cleanups.push(() => publisher.close());
    await publisher.publish([message(normal, 'a')]);

    // One produce request: the broker appends `normal`'s message and refuses `small`'s. kafkajs
    // rolls back the sequence numbers of both partitions, so the producer is behind the broker on
    // `normal`: its next batch there would be OUT_OF_ORDER_SEQUENCE_NUMBER, on every try.
    const refused = publisher.publish([message(normal, 'a'), message(small, 'b', 5_000)]);
    await expect(refused).rejects.toBeInstanceOf(MessagesRefusedError);
    await expect(refused).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE', refused: true });

    await publisher.publish([message(normal, 'a'), message(normal, 'a')]);

    expect(publisher.producersCreated).toBe(2);
    expect(await messagesOn(messaging.kafka, normal)).toBe(4);
  });

  it('when the broker is unreachable at the first publish, then a later publish connects once it is back', async () => {
    const topic = `${messaging.topicPrefix}first-connect`;
    await messaging.createTopics([topic], 1);
    // The proxy is the bootstrap broker; the cluster's metadata then sends the client to the
    // broker's own address, which is fine: the fault is at the first connect.
    const proxy = await FaultProxy.start({
      target: {
        host: '127.0.0.1',
        port: Number(parseBrokers(testInfrastructure().kafkaBrokers)[0]?.split(':')[1]),
      },
      listen: { port: await freePort() },
      mode: { kind: 'refuse' },
    });
    cleanups.push(() => proxy.stop());
    const publisher = new KafkaPublisher(
      createKafka({ clientId: 'first-connect', brokers: [proxy.address] }),
    );
    cleanups.push(() => publisher.close());

    await expect(publisher.publish([message(topic, 'k')])).rejects.toThrow();
    await proxy.setMode({ kind: 'pass' });

    await waitFor(
      'a publish to go through',
      () =>
        publisher.publish([message(topic, 'k')]).then(
          () => true,
          () => false,
        ),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(await messagesOn(messaging.kafka, topic)).toBe(1);
  });

  it('when a send times out on every retry although the broker appended it, then the publish fails in bounded time and the next one goes through a new producer', async () => {
    const topic = `${messaging.topicPrefix}timed-out`;
    await messaging.createTopics([topic], 1);
    const [brokerHost, brokerPort] = (parseBrokers(testInfrastructure().kafkaBrokers)[0] ?? '').split(':');
    const proxy = await FaultProxy.start({
      target: { host: brokerHost ?? '127.0.0.1', port: Number(brokerPort) },
    });
    cleanups.push(() => proxy.stop());
    // Every connection, to whatever broker the metadata names, goes through the proxy.
    const kafka = new Kafka({
      clientId: 'timed-out',
      brokers: [proxy.address],
      logLevel: logLevel.NOTHING,
      requestTimeout: 1_000,
      socketFactory: ({ onConnect }) => connect({ host: '127.0.0.1', port: proxy.port }, onConnect),
    });
    const publisher = new KafkaPublisher(kafka);
    cleanups.push(() => publisher.close());
    await publisher.publish([message(topic, 'k')]);

    // Each request reaches the broker, which appends it, but its answer comes after the client's
    // request timeout: kafkajs retries, gives up, and rolls its sequence numbers back.
    await proxy.setMode({ kind: 'delay', ms: 1_500 });
    await expect(publisher.publish([message(topic, 'k')])).rejects.not.toBeInstanceOf(MessagesRefusedError);
    await proxy.setMode({ kind: 'pass' });

    await waitFor(
      'a publish to go through',
      () =>
        publisher.publish([message(topic, 'k'), message(topic, 'k'), message(topic, 'k')]).then(
          () => true,
          () => false,
        ),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(publisher.producersCreated).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
