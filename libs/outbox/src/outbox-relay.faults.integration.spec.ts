import { FaultProxy } from '@ecommerce/fault-proxy';
import { createKafka } from '@ecommerce/messaging';
import { createTestMessaging, type TestMessaging } from '@ecommerce/messaging/testing';
import { createServiceMetrics } from '@ecommerce/telemetry';
import { freePort, testInfrastructure, waitFor } from '@ecommerce/test-infra';

import { relayMetricsObserver } from './relay-metrics';
import { createOutboxTestBed, type OutboxTestBed } from './testing/outbox-test-bed';

/** host and port of a `host:port` or of a URL's authority. */
function hostAndPort(address: string): { host: string; port: number } {
  const [host = '127.0.0.1', port] = address.split(':');
  return { host, port: Number(port) };
}

describe('OutboxRelay when its dependencies fail', () => {
  let messaging: TestMessaging;
  let bed: OutboxTestBed;

  beforeAll(async () => {
    messaging = await createTestMessaging();
  });

  beforeEach(async () => {
    bed = await createOutboxTestBed(messaging);
  });

  afterEach(async () => {
    await bed.close();
  });

  it('when Kafka is unreachable at the first outbox row, then readiness fails past the stall window, and once Kafka is back every row is published without a restart', async () => {
    const topic = `${messaging.topicPrefix}first-row`;
    await messaging.createTopics([topic]);
    // The relay's bootstrap broker is the proxy. kafkajs fetches the cluster's metadata through it and
    // then connects to the broker's own advertised address: the fault is at the first connect.
    const brokerProxy = await FaultProxy.start({
      target: hostAndPort(testInfrastructure().kafkaBrokers.split(',')[0] ?? ''),
      listen: { port: await freePort() },
      mode: { kind: 'refuse' },
    });
    bed.onClose(() => brokerProxy.stop());
    const metrics = createServiceMetrics();
    const stallWindowMs = 2_000;
    const { relay, isLeading } = bed.startRelay({
      kafka: createKafka({ clientId: 'relay-first-row', brokers: [brokerProxy.address] }),
      stallWindowMs,
      reportIntervalMs: 100,
      observer: relayMetricsObserver(metrics, 'outbox-test'),
    });
    const stalledGauge = async () =>
      (await metrics.outboxRelayStalled.get()).values.find((value) => value.labels.service === 'outbox-test')
        ?.value;
    await waitFor('the relay to lead', () => isLeading());
    await expect(relay.checkRunning()).resolves.toBeUndefined();

    const writtenAt = Date.now();
    await bed.writeEvents(topic, [messaging.newEvent('first', 1)]);
    const readinessError = await waitFor('readiness to fail', () =>
      relay.checkRunning().then(
        () => undefined,
        (error: Error) => error,
      ),
    );
    expect(Date.now() - writtenAt).toBeGreaterThanOrEqual(stallWindowMs);
    expect(readinessError.message).toMatch(/published nothing for \d+ s while rows wait/);
    await waitFor('the stall metric', async () => (await stalledGauge()) === 1);

    await brokerProxy.setMode({ kind: 'pass' });
    await bed.writeEvents(topic, [messaging.newEvent('second', 1)]);
    await waitFor('every row to be published', async () => (await bed.unpublished()) === 0, {
      timeoutMs: 60_000,
    });
    await expect(relay.checkRunning()).resolves.toBeUndefined();
    await waitFor('the stall metric to clear', async () => (await stalledGauge()) === 0);
    // Being unreachable is an outage: no row spent an attempt on it.
    expect((await bed.rows()).map((row) => row.attempts)).toEqual([0, 0]);
  }, 120_000);

  it('when the leader’s database connection is blackholed, then a standby publishes a new row within the takeover bound, and the old leader steps down', async () => {
    const topic = `${messaging.topicPrefix}takeover`;
    await messaging.createTopics([topic]);
    const leaderTakeoverMs = 8_000;
    const databaseUrl = new URL(bed.database.url);
    const databaseProxy = await FaultProxy.start({
      target: { host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) },
    });
    bed.onClose(() => databaseProxy.stop());
    const throughProxy = new URL(bed.database.url);
    throughProxy.host = databaseProxy.address;

    const leader = bed.startRelay({ databaseUrl: throughProxy.toString(), leaderTakeoverMs });
    await waitFor('the relay behind the proxy to lead', () => leader.isLeading());
    const standby = bed.startRelay({ leaderTakeoverMs });
    await bed.writeEvents(topic, [messaging.newEvent('before', 1)]);
    await waitFor('the leader to publish', async () => (await bed.unpublished()) === 0);
    expect(standby.isLeading()).toBe(false);

    // The leader's packets are dropped from now on, both ways. The server sees an open, idle
    // connection: only its own idle-session timeout can end the session that holds the lock.
    await databaseProxy.setMode({ kind: 'blackhole' });
    const cutAt = Date.now();
    await bed.writeEvents(topic, [messaging.newEvent('after', 1)]);

    await waitFor('the standby to publish the new row', async () => (await bed.unpublished()) === 0, {
      timeoutMs: 60_000,
    });
    const takeoverMs = Date.now() - cutAt;
    expect(standby.isLeading()).toBe(true);
    expect(takeoverMs).toBeLessThanOrEqual(leaderTakeoverMs);
    await waitFor('the old leader to step down', () => !leader.isLeading(), { timeoutMs: leaderTakeoverMs });
  }, 120_000);
});
