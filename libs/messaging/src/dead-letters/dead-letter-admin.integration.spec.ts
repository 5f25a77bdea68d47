import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { SqlExecutor } from '@ecommerce/database';
import { createHttpServer, type HttpServer } from '@ecommerce/http-server';
import {
  createPgTransactions,
  createTestDatabase,
  freePort,
  testInfrastructure,
  waitFor,
  type PgTransactions,
  type TestDatabase,
} from '@ecommerce/test-infra';
import pino from 'pino';

import { deadLetterTopic } from '../dead-letter';
import { EventConsumer } from '../event-consumer';
import { createTestMessaging, type TestEvent, type TestMessaging } from '../testing';
import { registerDeadLetterAdminRoutes } from './dead-letter-admin.routes';

const execFileAsync = promisify(execFile);
const workspaceRoot = join(__dirname, '..', '..', '..', '..');
const logger = pino({ level: 'silent' });
const adminToken = 'f3a9c1d7e5b20486a1c3e5f7092b4d6e';

type Events = { TestEvent: TestEvent };

/** `npm run dead-letters -- ...` as an operator runs it: a real process, the token from the environment. */
async function deadLettersCli(args: string[], token: string | undefined) {
  const env = { ...process.env };
  delete env['ADMIN_TOKEN'];
  if (token !== undefined) env['ADMIN_TOKEN'] = token;
  return execFileAsync(
    process.execPath,
    [
      join(workspaceRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      'libs/messaging/src/dead-letters/cli.ts',
      ...args,
    ],
    { cwd: workspaceRoot, env },
  ).then(
    ({ stdout }) => ({ exitCode: 0, stdout, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => ({ exitCode: error.code, ...error }),
  );
}

describe('the dead-letter admin API, on a real broker, registry and database', () => {
  let messaging: TestMessaging;
  let database: TestDatabase;
  let db: PgTransactions;
  let consumer: EventConsumer<Events, SqlExecutor>;
  let app: HttpServer;
  let url: string;
  let topic: string;
  let groupId: string;
  let broken = true;
  const poison = { eventId: '', key: 'poison' };

  const effectsOf = (key: string) =>
    db.query<{ event_id: string }>('SELECT event_id FROM effects WHERE key = $1 ORDER BY applied_at', [key]);

  const adminServer = async (token: string | undefined) => {
    const server = await createHttpServer({
      serviceName: 'probe-service',
      logger,
      dependencies: {},
      ...(token !== undefined && { adminToken: token }),
    });
    registerDeadLetterAdminRoutes(server, {
      serviceName: 'probe-service',
      settings: {
        KAFKA_BROKERS: testInfrastructure().kafkaBrokers,
        SCHEMA_REGISTRY_URL: testInfrastructure().schemaRegistryUrl,
        TOPIC_PREFIX: messaging.topicPrefix,
      },
      consumerGroups: [groupId, `${groupId}.idle`],
    });
    return server;
  };

  const authorized = { authorization: `Bearer ${adminToken}` };

  async function produce(events: TestEvent[]): Promise<void> {
    const producer = messaging.kafka.producer();
    await producer.connect();
    try {
      for (const event of events) {
        await producer.send({
          topic,
          messages: [
            { key: event.key, value: await messaging.encode(event), headers: { 'event-id': event.eventId } },
          ],
        });
      }
    } finally {
      await producer.disconnect();
    }
  }

  /** The end offset of the origin topic's only partition. */
  async function originEnd(): Promise<number> {
    const admin = messaging.kafka.admin();
    await admin.connect();
    try {
      const [partition] = await admin.fetchTopicOffsets(topic);
      return Number(partition?.high);
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    messaging = await createTestMessaging();
    database = await createTestDatabase('order');
    db = createPgTransactions(database.url);
    await db.query('CREATE TABLE effects (event_id uuid, key text, applied_at timestamptz DEFAULT now())');
    topic = `${messaging.topicPrefix}payments`;
    groupId = `${messaging.topicPrefix}payments-group`;
    await messaging.createTopics([topic], 1);

    consumer = new EventConsumer<Events, SqlExecutor>({
      kafka: messaging.kafka,
      groupId,
      topics: [topic],
      decoder: messaging.decoder,
      handlers: {
        TestEvent: async (event, tx) => {
          if (broken && event.payload.note === 'break') throw new Error('downstream unavailable');
          await tx.$executeRawUnsafe(
            'INSERT INTO effects (event_id, key) VALUES ($1::uuid, $2)',
            event.payload.eventId,
            event.payload.key,
          );
        },
      },
      runInTransaction: db.runInTransaction,
      deadLetterTopic: deadLetterTopic(messaging.topicPrefix, groupId),
      deadLetterTopicSettings: { partitions: 1, replicationFactor: 1 },
      logger,
      retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50 },
    });
    await consumer.start();

    const event = messaging.newEvent(poison.key, 1, 'break');
    poison.eventId = event.eventId;
    await produce([event, messaging.newEvent('healthy', 2)]);
    await waitFor('the message after the poison one', async () => (await effectsOf('healthy')).length === 1);

    app = await adminServer(adminToken);
    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app?.close();
    await consumer?.stop();
    await db?.close();
    await database?.drop();
  });

  it('when asked with the admin token, then it lists the dead letter with its origin and why, and every filter selects it', async () => {
    const list = async (query = '') =>
      (await app.inject({ method: 'GET', url: `/admin/dead-letters${query}`, headers: authorized })).json();

    const letters = await waitFor('the dead letter', async () => {
      const found = await list();
      return found.length > 0 && found;
    });
    expect(letters).toEqual([
      expect.objectContaining({
        consumerGroup: groupId,
        topic: deadLetterTopic(messaging.topicPrefix, groupId),
        eventId: poison.eventId,
        key: 'poison',
        originTopic: topic,
        originPartition: 0,
        originOffset: '0',
        attempts: 2,
        errorCode: 'Error',
        errorMessage: 'downstream unavailable',
      }),
    ]);
    for (const filter of [
      `eventId=${poison.eventId}`,
      `originTopic=${topic}`,
      'errorCode=Error',
      `consumerGroup=${groupId}`,
    ])
      expect(await list(`?${filter}`)).toHaveLength(1);
    for (const filter of [
      'eventId=00000000-0000-0000-0000-000000000000',
      'errorCode=OTHER',
      `consumerGroup=${groupId}.idle`,
    ])
      expect(await list(`?${filter}`)).toEqual([]);

    const otherGroup = await app.inject({
      method: 'GET',
      url: '/admin/dead-letters?consumerGroup=someone-else',
      headers: authorized,
    });
    expect(otherGroup.statusCode).toBe(400);
  });

  it('when the token is missing or wrong, or the admin API is disabled, then nothing is read or replayed', async () => {
    // The handler works from here on, so a replay that got through would take effect.
    broken = false;
    const endBefore = await originEnd();
    const withoutToken = await app.inject({ method: 'GET', url: '/admin/dead-letters' });
    expect(withoutToken.statusCode).toBe(401);
    expect(withoutToken.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrongToken = await app.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: { authorization: `Bearer ${adminToken.toUpperCase()}` },
      payload: { all: true },
    });
    expect(wrongToken.statusCode).toBe(401);

    const disabled = await adminServer(undefined);
    const refused = await disabled.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: authorized,
      payload: { all: true },
    });
    await disabled.close();
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'ADMIN_API_DISABLED' });

    const cli = await deadLettersCli(['replay', '--url', url, '--all'], undefined);
    expect(cli.exitCode).toBe(1);
    expect(cli.stderr).toContain('ADMIN_TOKEN is not set');
    const cliWrongToken = await deadLettersCli(['replay', '--url', url, '--all'], `${adminToken}0`);
    expect(cliWrongToken.exitCode).toBe(1);
    expect(cliWrongToken.stderr).toContain('401 ADMIN_TOKEN_INVALID');

    // A marker after whatever a refused request might have replayed: once the consumer has applied
    // it, it has read every message before it on the partition.
    await produce([messaging.newEvent('marker', 3)]);
    await waitFor('the marker to be applied', async () => (await effectsOf('marker')).length === 1);
    expect(await originEnd()).toBe(endBefore + 1); // the marker, nothing else
    expect(await effectsOf('poison')).toEqual([]);
  });

  it('when a replay names no letters, then it is refused', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: authorized,
      payload: { consumerGroup: groupId },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'REPLAY_NEEDS_A_FILTER' });
  });

  it('when the handler is fixed and the CLI replays the letter, then it is applied once, and a second replay changes nothing', async () => {
    broken = false;
    const listed = await deadLettersCli(['list', '--url', url], adminToken);
    expect(listed.stdout).toContain('1 dead letter(s)');
    expect(listed.stdout).toContain(`${poison.eventId}  from ${topic}[0]@0  after 2 attempt(s)`);

    const replayed = await deadLettersCli(['replay', '--url', url, '--event-id', poison.eventId], adminToken);
    expect(replayed.stdout).toContain('replayed 1 dead letter(s)');
    await waitFor('the replayed event to be applied', async () => (await effectsOf('poison')).length === 1);

    const again = await app.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: authorized,
      payload: { originTopic: topic },
    });
    expect(again.json().replayed).toEqual([expect.objectContaining({ eventId: poison.eventId })]);
    // The consumer has read past the second replay once the inbox holds it, as it did the first:
    // poison, healthy, the marker, two replays.
    await waitFor('the second replay to be consumed', async () => {
      const [row] = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM inbox WHERE event_id = $1',
        [poison.eventId],
      );
      const admin = messaging.kafka.admin();
      await admin.connect();
      try {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return row?.n === 1 && committed?.partitions[0]?.offset === '5';
      } finally {
        await admin.disconnect();
      }
    });
    expect((await effectsOf('poison')).map((row) => row.event_id)).toEqual([poison.eventId]);
  });
});
