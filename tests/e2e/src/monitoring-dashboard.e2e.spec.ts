import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

import { topicName } from '@ecommerce/contracts';
import { createKafka, parseBrokers } from '@ecommerce/messaging';
import { testInfrastructure, waitFor } from '@ecommerce/test-infra';

import { startPrometheus, type RunningPrometheus } from './prometheus-process';
import { call, startSystem, type RunningSystem } from './running-services';

const MONITORING = join(__dirname, '..', '..', '..', 'infra', 'monitoring');

interface Dashboard {
  uid: string;
  panels: { title: string; datasource: { uid: string }; targets: { expr: string; refId: string }[] }[];
}

/**
 * The Grafana dashboard against the real system: the real Prometheus binary scrapes the five
 * services and the console (as processes) while orders go through every saga outcome and a poison
 * message is dead-lettered, and every query of every panel must return series. A panel on a metric
 * that no service exports (a renamed metric, a typo in a label) fails here. The alert rules are
 * loaded too, and each must evaluate without error on the real metrics.
 */
describe('the Grafana dashboard and the alert rules against a real Prometheus scraping the running system', () => {
  const dashboard = JSON.parse(
    readFileSync(join(MONITORING, 'grafana', 'dashboards', 'ecommerce.json'), 'utf8'),
  ) as Dashboard;
  let system: RunningSystem;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    system = await startSystem({ OUTBOX_STATUS_INTERVAL_MS: '1000' }, { console: true });
    const sku = `DASH-${randomUUID().slice(0, 8)}`;
    await call(`${system.url('inventory')}/products/${sku}`, 'PUT', {
      name: 'Dashboard lamp',
      priceCents: 900,
    });
    await call(`${system.url('inventory')}/products/${sku}/stock`, 'POST', { quantity: 5 });
    const orders = await Promise.all(
      [
        { customerId: 'c-ok', items: [{ sku, quantity: 1 }] },
        { customerId: 'c-declined', items: [{ sku, quantity: 1 }], paymentMethod: { token: 'tok_decline' } },
        { customerId: 'c-greedy', items: [{ sku, quantity: 50 }] },
      ].map(async (body) => {
        const placed = await waitFor('an order to be accepted', async () => {
          const response = await call(`${system.url('order')}/orders`, 'POST', body);
          return response.status === 202 && (response.body as { orderId: string });
        });
        return placed.orderId;
      }),
    );
    for (const orderId of orders) {
      await waitFor(`order ${orderId} to settle`, async () => {
        const order = (await call(`${system.url('order')}/orders/${orderId}`, 'GET')).body as {
          status: string;
        };
        return order.status !== 'PENDING';
      });
    }
    // Bytes that are no event: every group reading the orders topic dead-letters them at once.
    const kafka = createKafka({
      clientId: 'dashboard-test',
      brokers: parseBrokers(testInfrastructure().kafkaBrokers),
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topicName('orders', system.topicPrefix),
      messages: [{ key: 'poison', value: Buffer.from('not avro') }],
    });
    await producer.disconnect();

    prometheus = await startPrometheus({
      targets: [
        ...system.instances.map((instance) => ({ job: `${instance.name}-service`, url: instance.url })),
        { job: 'order-console', url: system.consoleUrl as string },
      ],
      ruleFiles: [join(MONITORING, 'prometheus', 'alert-rules.yml')],
    });
    await waitFor('every target to be scraped', async () => {
      const up = await prometheus.query('up == 1');
      return up.length === system.instances.length + 1;
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await system?.stop();
  });

  it('when the dashboard is provisioned, then every panel queries the provisioned Prometheus data source', () => {
    expect(dashboard.panels.length).toBeGreaterThan(0);
    for (const panel of dashboard.panels) {
      expect({ panel: panel.title, uid: panel.datasource.uid }).toEqual({
        panel: panel.title,
        uid: 'prometheus',
      });
      expect(panel.targets.length).toBeGreaterThan(0);
    }
  });

  it('when Prometheus scrapes the running system, then every query of every panel returns series', async () => {
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const series = await waitFor(
          `panel "${panel.title}" (${target.expr}) to return series`,
          async () => {
            const result = await prometheus.query(target.expr);
            return result.length > 0 && result;
          },
          { timeoutMs: 60_000, intervalMs: 1_000 },
        );
        expect(series.length).toBeGreaterThan(0);
      }
    }
  });

  it('when the alert rules are loaded, then every rule evaluates on the real metrics without error', async () => {
    const rules = await waitFor('the rules to be evaluated once', async () => {
      const data = await prometheus.get<{
        groups: { rules: { name: string; health: string; lastError?: string }[] }[];
      }>('/api/v1/rules');
      const all = data.groups.flatMap((group) => group.rules);
      return all.length > 0 && all.every((rule) => rule.health !== 'unknown') && all;
    });
    expect(rules.filter((rule) => rule.health !== 'ok')).toEqual([]);
    expect(rules.map((rule) => rule.name)).toEqual(
      expect.arrayContaining(['DeadLettersAppeared', 'OutboxRelayNotPublishing', 'SagaTimeoutsRising']),
    );
    // The poison message is real: the alert meant for it fires on the real counter.
    await waitFor('DeadLettersAppeared to fire for the poison message', async () => {
      const alerts = await prometheus.get<{ alerts: { labels: Record<string, string>; state: string }[] }>(
        '/api/v1/alerts',
      );
      return alerts.alerts.some(
        (alert) => alert.labels['alertname'] === 'DeadLettersAppeared' && alert.state === 'firing',
      );
    });
  });
});
