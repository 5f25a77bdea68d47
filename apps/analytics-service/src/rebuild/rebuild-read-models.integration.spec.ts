import type { HttpServer } from '@ecommerce/service-runtime';
import { waitFor } from '@ecommerce/test-infra';

import { buildAnalyticsServiceApp } from '../app';
import {
  orderEvents,
  startAnalyticsTestHarness,
  type AnalyticsTestHarness,
} from '../testing/analytics-test-harness';
import { rebuildReadModels } from './rebuild-read-models';

describe('rebuilding the read models by replaying the orders topic', () => {
  let harness: AnalyticsTestHarness;
  let app: HttpServer;

  beforeAll(async () => {
    harness = await startAnalyticsTestHarness();
    const { config, logger, prisma } = harness;
    app = await buildAnalyticsServiceApp({ config, logger, prisma });
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
  const rebuild = () =>
    rebuildReadModels({ db: harness.prisma, backbone: harness.backbone, groupId: harness.groupId });

  it('when the group replays from offset zero onto emptied projections, then every answer is the same', async () => {
    const confirmed = orderEvents();
    const cancelled = orderEvents();
    const pending = orderEvents();
    const now = Date.now();
    await harness.startConsumer();
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
    const expectedSummary = {
      ordersPlaced: 3,
      ordersConfirmed: 1,
      ordersCancelled: 1,
      cancelReasons: { OUT_OF_STOCK: 1 },
      revenueCents: 7000,
      averageOrderCents: 7000,
    };
    await waitFor('the consumer to project every event', async () => {
      const summary = await get('/analytics/summary');
      return JSON.stringify(summary) === JSON.stringify(expectedSummary) && summary;
    });
    const before = await answers();
    expect(before.top).toEqual([
      { sku: 'SKU-A', unitsSold: 2, revenueCents: 3000 },
      { sku: 'SKU-B', unitsSold: 1, revenueCents: 4000 },
    ]);

    // While the group has a running member, Kafka refuses the reset and nothing is deleted.
    await expect(rebuild()).rejects.toThrow(/no running instances/);
    expect(await harness.prisma.orderFact.count()).toBe(3);

    await harness.stopConsumer();
    const report = await rebuild();
    expect(report).toMatchObject({ groupId: harness.groupId, inboxRowsDeleted: 5 });
    expect(await harness.prisma.orderFact.count()).toBe(0);
    expect(await harness.prisma.orderFactLine.count()).toBe(0);
    expect(await harness.prisma.inboxMessage.count({ where: { consumerGroup: harness.groupId } })).toBe(0);

    await harness.startConsumer();
    await waitFor('the replay to rebuild the read models', async () => {
      const summary = await get('/analytics/summary');
      return JSON.stringify(summary) === JSON.stringify(before.summary) && summary;
    });
    expect(await answers()).toEqual(before);
    expect(await harness.prisma.inboxMessage.count({ where: { consumerGroup: harness.groupId } })).toBe(5);
  });
});
