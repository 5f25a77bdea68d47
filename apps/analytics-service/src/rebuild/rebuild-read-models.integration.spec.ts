import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { topicName } from '@ecommerce/contracts';
import { consumerGroupId } from '@ecommerce/runtime';
import type { HttpServer } from '@ecommerce/http-server';
import { freePort, waitFor } from '@ecommerce/test-infra';
import { buildServiceApp } from '@ecommerce/runtime';

import { analyticsService } from '../service';
import {
  orderEvents,
  startAnalyticsTestHarness,
  type AnalyticsTestHarness,
} from '../testing/analytics-test-harness';

const adminToken = '5e0c8a2f4d6b1e3a9c7f5d2b8e4a6c10';
const workspaceRoot = join(__dirname, '..', '..', '..', '..');

/** The rebuild command as an operator runs it: a real process, a client of the admin API. */
const rebuildCli = (url: string) =>
  promisify(execFile)(
    process.execPath,
    [
      join(workspaceRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      'apps/analytics-service/src/rebuild/cli.ts',
      '--url',
      url,
    ],
    { cwd: workspaceRoot, env: { ...process.env, ADMIN_TOKEN: adminToken } },
  );

describe('rebuilding the read models through POST /admin/projections/rebuild', () => {
  let harness: AnalyticsTestHarness;
  /** The projections' Kafka group: its name behind the run's topic prefix. */
  const kafkaGroupId = () => consumerGroupId(harness.events.topicPrefix, harness.projections.group);
  let app: HttpServer;
  let url: string;

  beforeAll(async () => {
    harness = await startAnalyticsTestHarness();
    app = await buildServiceApp(analyticsService, {
      ...harness,
      config: { ...harness.config, ADMIN_TOKEN: adminToken },
    });
    const port = await freePort();
    await app.listen({ host: '127.0.0.1', port });
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app?.close();
    await harness?.close();
  });

  const get = async (url: string) => (await app.inject({ method: 'GET', url })).json() as unknown;
  const answers = async () => ({
    summary: await get('/analytics/summary'),
    top: await get('/analytics/products/top?limit=100'),
    minutes: await get('/analytics/sales?bucket=minute'),
    hours: await get('/analytics/sales?bucket=hour'),
  });
  const untilSummary = (description: string, expected: unknown) =>
    waitFor(description, async () => {
      const summary = await get('/analytics/summary');
      return JSON.stringify(summary) === JSON.stringify(expected) && summary;
    });
  const rebuild = (authorization = `Bearer ${adminToken}`) =>
    app.inject({ method: 'POST', url: '/admin/projections/rebuild', headers: { authorization } });

  /** Another instance of the service: a member of the group holding partitions while it runs. */
  async function anotherInstance() {
    const member = harness.events.kafka.consumer({ groupId: kafkaGroupId() });
    await member.connect();
    await member.subscribe({ topic: topicName('orders', harness.events.topicPrefix) });
    let joined = false;
    member.on(member.events.GROUP_JOIN, () => (joined = true));
    // Nothing is published while it is a member, so it never takes an event from the projections.
    await member.run({ eachMessage: async () => undefined });
    await waitFor('the other instance to join the group', async () => joined);
    return member;
  }

  it('when the group replays from offset zero onto emptied projections, then every answer is the same; while another instance consumes, it is refused and nothing changes', async () => {
    const confirmed = orderEvents();
    const cancelled = orderEvents();
    const pending = orderEvents();
    const now = Date.now();
    await harness.projections.start();
    await harness.publish(
      confirmed.placed(
        [
          { sku: 'SKU-A', quantity: 2, unitPriceCents: 1500 },
          { sku: 'SKU-B', quantity: 1, unitPriceCents: 4000 },
        ],
        now - 120_000,
      ),
      cancelled.placed([{ sku: 'SKU-A', quantity: 1, unitPriceCents: 1500 }], now - 110_000),
      pending.placed([{ sku: 'SKU-C', quantity: 3, unitPriceCents: 1000 }], now - 100_000),
      confirmed.confirmed(7000, now - 60_000),
      cancelled.cancelled('OUT_OF_STOCK', now - 50_000),
    );
    await untilSummary('the consumer to project every event', {
      ordersPlaced: 3,
      ordersConfirmed: 1,
      ordersCancelled: 1,
      cancelReasons: { OUT_OF_STOCK: 1 },
      revenueCents: 7000,
      averageOrderCents: 7000,
    });

    expect((await rebuild('')).statusCode).toBe(401);
    expect((await rebuild(`Bearer ${adminToken.slice(1)}x`)).statusCode).toBe(401);
    expect(await harness.db.orderFact.count()).toBe(3);

    const other = await anotherInstance();
    const refused = await rebuild();
    await other.disconnect();
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'CONSUMER_GROUP_ACTIVE',
      groupId: kafkaGroupId(),
    });
    expect(await harness.db.orderFact.count()).toBe(3);

    // This instance consumes again after the refusal: a new order reaches the read models.
    await harness.publish(pending.cancelled('CUSTOMER_REQUEST', now - 40_000));
    const summaryBefore = await untilSummary('the event published after the refusal', {
      ordersPlaced: 3,
      ordersConfirmed: 1,
      ordersCancelled: 2,
      cancelReasons: { OUT_OF_STOCK: 1, CUSTOMER_REQUEST: 1 },
      revenueCents: 7000,
      averageOrderCents: 7000,
    });
    const before = await answers();
    expect(before.top).toEqual([
      { sku: 'SKU-A', unitsSold: 2, revenueCents: 3000 },
      { sku: 'SKU-B', unitsSold: 1, revenueCents: 4000 },
    ]);

    const { stdout } = await rebuildCli(url);
    expect(JSON.parse(stdout.split('\n')[0] ?? '')).toEqual({
      groupId: kafkaGroupId(),
      topics: [topicName('orders', harness.events.topicPrefix)],
      inboxRowsDeleted: 6,
    });

    await untilSummary('the replay to rebuild the read models', summaryBefore);
    expect(await answers()).toEqual(before);
    expect(await harness.db.inboxMessage.count({ where: { consumerGroup: kafkaGroupId() } })).toBe(6);
  });

  it('when the service has no admin token, then a rebuild is refused with 403', async () => {
    const disabled = await buildServiceApp(analyticsService, harness);
    const response = await disabled.inject({
      method: 'POST',
      url: '/admin/projections/rebuild',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    await disabled.close();
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'ADMIN_API_DISABLED' });
  });
});

describe('a rebuild when the topics no longer hold every event', () => {
  let harness: AnalyticsTestHarness;
  let app: HttpServer;

  beforeAll(async () => {
    harness = await startAnalyticsTestHarness();
    app = await buildServiceApp(analyticsService, {
      ...harness,
      config: { ...harness.config, ADMIN_TOKEN: adminToken },
    });
  });

  afterAll(async () => {
    await app?.close();
    await harness?.close();
  });

  const summary = async () =>
    (await app.inject({ method: 'GET', url: '/analytics/summary' })).json() as unknown;

  it('when a partition of the orders topic starts above offset 0 (its first events deleted), then the rebuild is refused with 409 TOPIC_HISTORY_INCOMPLETE and nothing is truncated', async () => {
    const orders = topicName('orders', harness.events.topicPrefix);
    const now = Date.now();
    const placed = Array.from({ length: 4 }, (_, index) =>
      orderEvents().placed([{ sku: 'SKU-A', quantity: 1, unitPriceCents: 1000 + index }], now - 60_000),
    );
    await harness.projections.start();
    await harness.publish(...placed);
    await waitFor(
      'the consumer to project every order',
      async () => (await harness.db.orderFact.count()) === 4,
    );
    const before = await summary();
    const inboxBefore = await harness.db.inboxMessage.count();

    // What retention does to an old partition: its log start moves past the events it deleted.
    const admin = harness.events.kafka.admin();
    await admin.connect();
    const partitions = await admin.fetchTopicOffsets(orders);
    const truncated = partitions.find((partition) => Number(partition.high) > 0);
    if (!truncated) throw new Error('no partition of the orders topic holds an event');
    await admin.deleteTopicRecords({
      topic: orders,
      partitions: [{ partition: truncated.partition, offset: '1' }],
    });
    // The consumer commits once a second: what it projected is committed before the offsets are compared.
    const groupOffsetsBefore = await waitFor('the group to commit every order it projected', async () => {
      const offsets = await admin.fetchOffsets({
        groupId: consumerGroupId(harness.events.topicPrefix, harness.projections.group),
        topics: [orders],
      });
      const committed = offsets[0]?.partitions ?? [];
      const handledAll = partitions.every(({ partition, high }) =>
        committed.some((entry) => entry.partition === partition && (entry.offset === high || high === '0')),
      );
      return handledAll && offsets;
    });

    const refused = await app.inject({
      method: 'POST',
      url: '/admin/projections/rebuild',
      headers: { authorization: `Bearer ${adminToken}` },
    });

    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'TOPIC_HISTORY_INCOMPLETE',
      truncatedPartitions: [{ topic: orders, partition: truncated.partition, logStartOffset: '1' }],
    });
    expect(refused.json<{ detail: string }>().detail).toMatch(
      new RegExp(`${orders.replace(/\./g, '\\.')} partition ${truncated.partition} starts at offset 1`),
    );
    expect(await summary()).toEqual(before);
    expect(await harness.db.orderFact.count()).toBe(4);
    expect(await harness.db.inboxMessage.count()).toBe(inboxBefore);
    expect(
      await admin.fetchOffsets({
        groupId: consumerGroupId(harness.events.topicPrefix, harness.projections.group),
        topics: [orders],
      }),
    ).toEqual(groupOffsetsBefore);
    await admin.disconnect();

    // The consumer runs again after the refusal: a new order still reaches the read models.
    await harness.publish(orderEvents().placed([{ sku: 'SKU-B', quantity: 1, unitPriceCents: 500 }], now));
    await waitFor(
      'the order published after the refusal',
      async () => (await harness.db.orderFact.count()) === 5,
    );
  });
});
