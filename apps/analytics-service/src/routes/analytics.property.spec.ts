import type { HttpServer } from '@ecommerce/http-server';
import {
  createPgTransactions,
  databaseFingerprint,
  hostileQuery,
  propertyTestParameters,
  readsAnswerCleanly,
  type PgTransactions,
} from '@ecommerce/test-infra';
import fc from 'fast-check';
import { buildServiceApp } from '@ecommerce/runtime';

import { analyticsService } from '../service';
import { startAnalyticsTestHarness, type AnalyticsTestHarness } from '../testing/analytics-test-harness';

describe('analytics HTTP API under hostile input (property-based, real database)', () => {
  let harness: AnalyticsTestHarness;
  let app: HttpServer;
  let db: PgTransactions;

  beforeAll(async () => {
    harness = await startAnalyticsTestHarness();
    app = await buildServiceApp(analyticsService, harness);
    db = createPgTransactions(harness.database.url);
  });

  afterAll(async () => {
    await db?.close();
    await app?.close(); // closes the Prisma client (a dependency of the server)
    await harness?.close();
  });

  const endpoints: { path: string; query: Record<string, string> }[] = [
    { path: '/analytics/summary', query: {} },
    { path: '/analytics/products/top', query: { limit: '5' } },
    { path: '/analytics/sales', query: { bucket: 'minute' } },
  ];

  it('GET /analytics/* with any query: a success or a clear 4xx, and nothing changes', () =>
    fc.assert(
      readsAnswerCleanly(
        (url) => app.inject({ method: 'GET', url }),
        () => databaseFingerprint(db),
        fc.oneof(...endpoints.map(({ path, query }) => hostileQuery(query).map((text) => `${path}?${text}`))),
      ),
      propertyTestParameters(),
    ));
});
