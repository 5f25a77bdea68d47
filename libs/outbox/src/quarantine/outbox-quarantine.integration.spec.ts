import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { createTestMessaging, type TestEvent, type TestMessaging } from '@ecommerce/messaging/testing';
import { createHttpServer, type HttpServer } from '@ecommerce/http-server';
import { createServiceMetrics, type ServiceMetrics } from '@ecommerce/telemetry';
import { freePort, waitFor } from '@ecommerce/test-infra';

import { relayMetricsObserver } from '../relay-metrics';
import { createOutboxTestBed, silentLogger, type OutboxTestBed } from '../testing/outbox-test-bed';
import type { QuarantinedRow } from './outbox-quarantine';
import { registerOutboxQuarantineAdminRoutes } from './outbox-quarantine-admin.routes';

const execFileAsync = promisify(execFile);
const workspaceRoot = join(__dirname, '..', '..', '..', '..');
const adminToken = '7c1e9a3f5b2d4e6a8c0f1b3d5e7a9c2e';
const authorized = { authorization: `Bearer ${adminToken}` };

/** `npm run dead-letters -- quarantine ...` as an operator runs it: a real process, the token from the environment. */
async function quarantineCli(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [
      join(workspaceRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      'libs/messaging/src/dead-letters/cli.ts',
      'quarantine',
      ...args,
    ],
    { cwd: workspaceRoot, env: { ...process.env, ADMIN_TOKEN: adminToken } },
  );
  return stdout;
}

describe('outbox rows the broker refuses, on a real broker and database', () => {
  let messaging: TestMessaging;
  let bed: OutboxTestBed;
  let metrics: ServiceMetrics;
  let app: HttpServer;
  let normal: string;
  let small: string;

  const quarantinedGauge = async () =>
    (await metrics.outboxQuarantined.get()).values.find((value) => value.labels.service === 'outbox-test')
      ?.value;
  const rowOf = async (event: TestEvent) => (await bed.rows()).find((row) => row.event_id === event.eventId);

  beforeAll(async () => {
    messaging = await createTestMessaging();
  });

  beforeEach(async () => {
    bed = await createOutboxTestBed(messaging);
    metrics = createServiceMetrics();
    normal = `${messaging.topicPrefix}normal-${Date.now()}`;
    small = `${messaging.topicPrefix}small-${Date.now()}`;
    await messaging.createTopics([normal], 3);
    await messaging.createTopicWithConfig(small, 1, { 'max.message.bytes': '4096' });
    app = await createHttpServer({
      serviceName: 'outbox-test',
      logger: silentLogger,
      dependencies: {},
      adminToken,
    });
    registerOutboxQuarantineAdminRoutes(app, { db: bed.executor });
    bed.onClose(() => app.close());
  });

  afterEach(async () => {
    await bed.close();
  });

  it('when an oversized event sits between two normal ones, then both normal ones are consumed and the big one is quarantined, counted and listed', async () => {
    const received = await bed.collect(normal);
    const receivedSmall = await bed.collect(small);
    const before = messaging.newEvent('n', 1);
    const big = messaging.newEvent('b', 1, 'x'.repeat(10_000));
    const after = messaging.newEvent('n', 2);
    const sameKeyAfterBig = messaging.newEvent('b', 2);
    await bed.writeEvents(normal, [before]);
    await bed.writeEvents(small, [big]);
    await bed.writeEvents(normal, [after]);
    await bed.writeEvents(small, [sameKeyAfterBig]);

    bed.startRelay({
      maxAttempts: 3,
      refusedRowRetryDelayMs: 50,
      reportIntervalMs: 100,
      observer: relayMetricsObserver(metrics, 'outbox-test'),
    });

    // The broker appends the other partitions of a request it refuses in part, and the search for the
    // culprit sends them again: duplicates (same event ids), which consumers drop by inbox.
    const firstArrivals = (events: TestEvent[]) => [...new Set(events.map((event) => event.eventId))];
    await waitFor('both normal events to be consumed', () => firstArrivals(received).length >= 2);
    expect(firstArrivals(received)).toEqual([before.eventId, after.eventId]);
    // Liveness over order for the poisoned key: its later event goes out once the big one is set aside.
    await waitFor('the next event of the big one’s key', () => receivedSmall.length >= 1);
    expect(firstArrivals(receivedSmall)).toEqual([sameKeyAfterBig.eventId]);

    expect(await rowOf(big)).toMatchObject({
      published: false,
      quarantined: true,
      attempts: 3,
      last_error: expect.stringContaining('MESSAGE_TOO_LARGE'),
    });
    // Finding the culprit spent no attempt of the rows around it.
    for (const innocent of [before, after, sameKeyAfterBig]) {
      expect(await rowOf(innocent)).toMatchObject({ published: true, quarantined: false, attempts: 0 });
    }
    await waitFor('the quarantine metric', async () => (await quarantinedGauge()) === 1);

    const listed = await app.inject({ method: 'GET', url: '/admin/outbox/quarantine', headers: authorized });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual([
      expect.objectContaining({
        eventId: big.eventId,
        eventType: 'TestEvent',
        topic: small,
        key: 'b',
        attempts: 3,
        lastError: expect.stringContaining('MESSAGE_TOO_LARGE'),
      }),
    ]);
  });

  it('when a quarantined row is retried after its topic was fixed, then it is published; when one is discarded through the CLI, then it is gone', async () => {
    const receivedSmall = await bed.collect(small);
    const big = messaging.newEvent('b', 1, 'x'.repeat(10_000));
    const missingTopic = `${messaging.topicPrefix}never-created`;
    const lost = messaging.newEvent('l', 1);
    await bed.writeEvents(small, [big]);
    await bed.writeEvents(missingTopic, [lost]);
    bed.startRelay({
      maxAttempts: 2,
      refusedRowRetryDelayMs: 50,
      reportIntervalMs: 100,
      observer: relayMetricsObserver(metrics, 'outbox-test'),
    });
    await waitFor('both rows to be quarantined', async () => (await quarantinedGauge()) === 2, {
      timeoutMs: 60_000,
    });
    expect(await rowOf(lost)).toMatchObject({
      quarantined: true,
      last_error: expect.stringContaining('UNKNOWN_TOPIC_OR_PARTITION'),
    });

    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${port}`;
    const listing = await quarantineCli(['list', '--url', url, '--json']);
    const [bigRow, lostRow] = JSON.parse(listing) as QuarantinedRow[];
    expect([bigRow?.eventId, lostRow?.eventId]).toEqual([big.eventId, lost.eventId]);

    const noSelection = await app.inject({
      method: 'POST',
      url: '/admin/outbox/quarantine/retry',
      headers: authorized,
      payload: {},
    });
    expect(noSelection.statusCode).toBe(422);

    const admin = messaging.kafka.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2, name: small, configEntries: [{ name: 'max.message.bytes', value: '1048588' }] }],
    });
    await admin.disconnect();
    const retried = await app.inject({
      method: 'POST',
      url: '/admin/outbox/quarantine/retry',
      headers: authorized,
      payload: { ids: [bigRow?.id] },
    });
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toEqual({ retried: [expect.objectContaining({ eventId: big.eventId })] });
    await waitFor('the retried row to be consumed', () =>
      receivedSmall.some((e) => e.eventId === big.eventId),
    );
    expect(await rowOf(big)).toMatchObject({ published: true, quarantined: false });

    const discarded = await quarantineCli(['discard', '--url', url, '--id', lostRow?.id ?? '']);
    expect(discarded).toContain(`discarded 1 quarantined outbox row(s)`);
    expect(discarded).toContain(lost.eventId);
    expect(await rowOf(lost)).toBeUndefined();
    await waitFor('the quarantine metric to drop', async () => (await quarantinedGauge()) === 0);
    expect(await quarantineCli(['list', '--url', url])).toContain('0 quarantined outbox row(s)');
  }, 120_000);

  it('when the admin token is missing, then the quarantine is neither shown nor changed', async () => {
    for (const request of [
      { method: 'GET' as const, url: '/admin/outbox/quarantine' },
      { method: 'POST' as const, url: '/admin/outbox/quarantine/discard', payload: { all: true } },
    ]) {
      expect((await app.inject(request)).statusCode).toBe(401);
    }
  });
});
