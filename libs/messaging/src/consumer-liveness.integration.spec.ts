import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';

import type { SqlExecutor } from '@ecommerce/database';
import { FaultProxy } from '@ecommerce/fault-proxy';
import {
  createPgTransactions,
  createTestDatabase,
  testInfrastructure,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';

import { defaultConsumerLiveness, type ConsumerLiveness } from './consumer-liveness';
import { deadLetterTopic } from './dead-letter';
import { EventConsumer, type EventConsumerOptions } from './event-consumer';
import { createTestMessaging, type TestEvent, type TestMessaging } from './testing';
import { createAppliedByMemberTable, recordAppliedBy } from './testing/applied-by-member';

const workspaceRoot = join(__dirname, '..', '..', '..');
const logger = pino({ level: 'silent' });

type Events = { TestEvent: TestEvent };

/**
 * How a consumer group survives members that die or hang, on the real broker: a killed member's
 * partitions move on within the session timeout, an instance is ready without waiting for a
 * rebalance, a slow handler keeps its partitions, and a consumer whose fetches stop getting
 * answers is restarted by its watchdog.
 */
describe('consumer liveness on a real broker, registry and database', () => {
  let messaging: TestMessaging;
  let database: TestDatabase;
  let db: PgTransactions;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    messaging = await createTestMessaging();
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
    await db.query(createAppliedByMemberTable);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  /** An EventConsumer in this process, recording what it applies as `member`. */
  async function startMember(
    member: string,
    topic: string,
    groupId: string,
    overrides: Partial<EventConsumerOptions<Events, SqlExecutor>> = {},
  ): Promise<EventConsumer<Events, SqlExecutor>> {
    const consumer = new EventConsumer<Events, SqlExecutor>({
      kafka: messaging.kafka,
      groupId,
      topics: [topic],
      decoder: messaging.decoder,
      handlers: { TestEvent: recordAppliedBy(member) },
      runInTransaction: db.runInTransaction,
      deadLetterTopic: deadLetterTopic(messaging.topicPrefix, groupId),
      deadLetterTopicSettings: { partitions: 1, replicationFactor: 1 },
      logger,
      ...overrides,
    });
    cleanups.push(() => consumer.stop());
    await consumer.start();
    return consumer;
  }

  /** An EventConsumer in a process of its own (`testing/group-member-process.ts`), to be killed. */
  async function startMemberProcess(
    member: string,
    topic: string,
    groupId: string,
    liveness: Partial<ConsumerLiveness> = {},
  ): Promise<ChildProcess> {
    const { kafkaBrokers, schemaRegistryUrl } = testInfrastructure();
    // `node --import tsx` runs the member in this very process: kill -9 hits the consumer itself.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'libs/messaging/src/testing/group-member-process.ts'],
      {
        cwd: workspaceRoot,
        env: {
          ...process.env,
          KAFKA_BROKERS: kafkaBrokers,
          SCHEMA_REGISTRY_URL: schemaRegistryUrl,
          DATABASE_URL: database.url,
          TOPIC: topic,
          GROUP_ID: groupId,
          DEAD_LETTER_TOPIC: deadLetterTopic(messaging.topicPrefix, groupId),
          MEMBER: member,
          LIVENESS: JSON.stringify(liveness),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    cleanups.push(async () => void child.kill('SIGKILL'));
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(`${member} to start`, () => {
      if (child.exitCode !== null) throw new Error(`${member} exited with ${child.exitCode}`);
      return output.includes('started');
    });
    return child;
  }

  async function killHard(child: ChildProcess): Promise<void> {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    const [, signal] = (await exited) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
  }

  /** One event to each of `partitions`; resolves with their ids. */
  async function produceTo(topic: string, partitions: readonly number[]): Promise<string[]> {
    const producer = messaging.kafka.producer();
    await producer.connect();
    try {
      const events = partitions.map((partition) => ({
        partition,
        event: messaging.newEvent(`p${partition}`, 1),
      }));
      await producer.send({
        topic,
        messages: await Promise.all(
          events.map(async ({ partition, event }) => ({
            partition,
            key: event.key,
            value: await messaging.encode(event),
          })),
        ),
      });
      return events.map(({ event }) => event.eventId);
    } finally {
      await producer.disconnect();
    }
  }

  /** Who applied each of `eventIds`, by partition, once all are applied. */
  const appliedBy = (eventIds: readonly string[], timeoutMs = 30_000) =>
    waitFor(
      `${eventIds.length} event(s) to be applied`,
      async () => {
        const rows = await db.query<{ partition: number; member: string }>(
          'SELECT partition, member FROM effects WHERE event_id = ANY($1::uuid[])',
          [eventIds],
        );
        return rows.length === eventIds.length && new Map(rows.map((row) => [row.partition, row.member]));
      },
      { timeoutMs },
    );

  async function groupState(groupId: string): Promise<{ state: string; members: string[] }> {
    const admin = messaging.kafka.admin();
    await admin.connect();
    try {
      const [group] = (await admin.describeGroups([groupId])).groups;
      return { state: group?.state ?? 'Unknown', members: (group?.members ?? []).map((m) => m.memberId) };
    } finally {
      await admin.disconnect();
    }
  }

  it('when one of two members is killed (kill -9), then the other consumes its partitions within the session timeout', async () => {
    const topic = `${messaging.topicPrefix}takeover`;
    const groupId = `${messaging.topicPrefix}takeover-group`;
    const partitions = [0, 1, 2, 3];
    await messaging.createTopics([topic], partitions.length);
    const doomed = await startMemberProcess('doomed', topic, groupId);
    await appliedBy(await produceTo(topic, partitions)); // the doomed member has joined
    await startMember('survivor', topic, groupId);

    // The group rebalances to two members; a round applied by both shows who owns what.
    const owners = await waitFor(
      'the partitions to be shared by both members',
      async () => {
        const round = await appliedBy(await produceTo(topic, partitions));
        return new Set(round.values()).size === 2 && round;
      },
      { timeoutMs: 60_000, intervalMs: 0 },
    );
    const doomedPartitions = partitions.filter((partition) => owners.get(partition) === 'doomed');

    const killedAt = Date.now();
    await killHard(doomed);
    const afterKill = await produceTo(topic, doomedPartitions);
    const takenOver = await appliedBy(afterKill, 60_000);
    const takeoverMs = Date.now() - killedAt;

    expect([...takenOver.values()]).toEqual(doomedPartitions.map(() => 'survivor'));
    // Eviction after one session without heartbeats, then the survivor hears of the rebalance at
    // its next heartbeat, rejoins and fetches: a few heartbeat intervals on top of the session.
    const { sessionTimeoutMs, heartbeatIntervalMs } = defaultConsumerLiveness;
    expect(takeoverMs).toBeLessThan(sessionTimeoutMs + 5 * heartbeatIntervalMs);
  });

  it('when an instance starts while its group waits for a killed member, then it is ready before the rebalance completes, and consumes once it does', async () => {
    const topic = `${messaging.topicPrefix}restart`;
    const groupId = `${messaging.topicPrefix}restart-group`;
    await messaging.createTopics([topic], 2);
    // A long session for the killed member: the group's next rebalance waits that long for it.
    const doomed = await startMemberProcess('doomed', topic, groupId, {
      sessionTimeoutMs: 20_000,
      heartbeatIntervalMs: 1_000,
    });
    await appliedBy(await produceTo(topic, [0, 1]));
    await killHard(doomed);

    const startedAt = Date.now();
    const restarted = await startMember('restarted', topic, groupId);
    await restarted.checkRunning();
    const readyMs = Date.now() - startedAt;
    const group = await groupState(groupId);

    expect(readyMs).toBeLessThan(10_000);
    expect(group.state).toBe('PreparingRebalance'); // still waiting for the killed member's session
    const afterRebalance = await appliedBy(await produceTo(topic, [0, 1]), 60_000);
    expect([...afterRebalance.values()]).toEqual(['restarted', 'restarted']);
  });

  it('when a handler runs longer than the session timeout, then the member heartbeats meanwhile and keeps its partitions', async () => {
    const topic = `${messaging.topicPrefix}slow`;
    const groupId = `${messaging.topicPrefix}slow-group`;
    await messaging.createTopics([topic], 1);
    const liveness = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 6_000 };
    let calls = 0;
    let slowHandlerRunning = false;
    await startMember('slow', topic, groupId, {
      liveness,
      handlers: {
        TestEvent: async (event, tx) => {
          calls += 1;
          slowHandlerRunning = true;
          // The injected fault: a dependency that takes one and a half sessions to answer.
          await new Promise((resolve) => setTimeout(resolve, liveness.sessionTimeoutMs * 1.5));
          slowHandlerRunning = false;
          await recordAppliedBy('slow')(event, tx);
        },
      },
    });
    const [slowEvent] = await produceTo(topic, [0]);
    await waitFor('the slow handler to start', () => slowHandlerRunning);
    const member = await groupState(groupId);
    expect(member).toEqual({ state: 'Stable', members: [expect.any(String)] });

    const seen: { state: string; members: string[] }[] = [];
    while (slowHandlerRunning) {
      seen.push(await groupState(groupId));
      await new Promise((resolve) => setTimeout(resolve, 250)); // sampling interval, not a synchronisation
    }
    await appliedBy([slowEvent as string]);

    expect(seen.length).toBeGreaterThan(10);
    expect(
      seen.filter((sample) => sample.state !== 'Stable' || sample.members[0] !== member.members[0]),
    ).toEqual([]);
    expect(calls).toBe(1);
  });

  it('when the connection to the broker stops answering, then readiness fails, the watchdog restarts the consumer, and once it answers again the consumer is ready and applies later events', async () => {
    const topic = `${messaging.topicPrefix}hang`;
    const groupId = `${messaging.topicPrefix}hang-group`;
    await messaging.createTopics([topic], 1);
    const [broker] = testInfrastructure().kafkaBrokers.split(',');
    const [host, port] = (broker as string).split(':');
    const proxy = await FaultProxy.start({ target: { host: host as string, port: Number(port) } });
    cleanups.push(() => proxy.stop());
    // Every connection of this client goes through the proxy, including those to the broker's
    // advertised address, where fetches and heartbeats go (a bootstrap list alone would only put
    // the first metadata request behind it).
    const proxiedKafka = new Kafka({
      clientId: 'hang-test',
      brokers: [proxy.address],
      logLevel: logLevel.NOTHING,
      socketFactory: ({ onConnect }) => connect({ host: '127.0.0.1', port: proxy.port }, onConnect),
    });
    const restarts: string[] = [];
    const consumer = await startMember('watched', topic, groupId, {
      kafka: proxiedKafka,
      liveness: {
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 500,
        rebalanceTimeoutMs: 5_000,
        stallTimeoutMs: 7_000,
      },
      observer: { restarted: (cause) => void restarts.push(cause) },
    });
    await appliedBy(await produceTo(topic, [0]));
    await consumer.checkRunning();

    await proxy.setMode({ kind: 'blackhole' });
    const failure = await waitFor(
      'readiness to fail',
      () =>
        consumer.checkRunning().then(
          () => false,
          (error: Error) => error.message,
        ),
      { timeoutMs: 15_000 },
    );
    expect(failure).toMatch(
      /stalled: no fetch, heartbeat, batch or group join completed for \d+ ms; restarting/,
    );
    expect(restarts).toEqual(['stall']);
    const duringHang = await produceTo(topic, [0]);

    await proxy.setMode({ kind: 'pass' });
    await waitFor(
      'readiness to recover',
      () =>
        consumer.checkRunning().then(
          () => true,
          () => false,
        ),
      {
        timeoutMs: 90_000,
      },
    );
    await appliedBy([...duringHang, ...(await produceTo(topic, [0]))], 60_000);
  });
});
