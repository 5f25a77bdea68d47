/**
 * Checks a running compose demo (`docker compose up`) from the outside, as its README tells a
 * person to: an order placed over REST is CONFIRMED, one paid with a declined card is CANCELLED,
 * the confirmed order's trace is in Jaeger with spans from all five services, and its confirmation
 * mail is in Mailpit; the order console shows the confirmed order's timeline and serves the
 * AsyncAPI document; Prometheus scrapes every service and Grafana serves the provisioned dashboard,
 * whose queries it sends through its data source to Prometheus. CI runs it against the compose file
 * on its own images (.ci/docker.sh).
 *
 *   npx tsx tools/compose-check/src/verify-compose-demo.ts
 *
 * Base URLs default to the compose file's published ports; ORDER_URL, INVENTORY_URL,
 * PAYMENT_URL, JAEGER_URL, MAILPIT_URL, CONSOLE_URL, PROMETHEUS_URL and GRAFANA_URL override them.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { call, waitFor } from '@ecommerce/system-runner';

const url = {
  order: process.env['ORDER_URL'] ?? 'http://127.0.0.1:3001',
  inventory: process.env['INVENTORY_URL'] ?? 'http://127.0.0.1:3002',
  payment: process.env['PAYMENT_URL'] ?? 'http://127.0.0.1:3003',
  jaeger: process.env['JAEGER_URL'] ?? 'http://127.0.0.1:16686',
  mailpit: process.env['MAILPIT_URL'] ?? 'http://127.0.0.1:8025',
  console: process.env['CONSOLE_URL'] ?? 'http://127.0.0.1:3006',
  prometheus: process.env['PROMETHEUS_URL'] ?? 'http://127.0.0.1:9090',
  grafana: process.env['GRAFANA_URL'] ?? 'http://127.0.0.1:3000',
};
const services = [
  'order-service',
  'inventory-service',
  'payment-service',
  'notification-service',
  'analytics-service',
];

interface OrderView {
  orderId: string;
  customerId: string;
  status: string;
  cancelReason?: string;
  totalCents: number;
}

interface JaegerTrace {
  spans: { processID: string }[];
  processes: Record<string, { serviceName: string }>;
}

/**
 * Places an order, retried with one Idempotency-Key until the order service's catalog replica
 * knows the sku (the seed's ProductUpserted may still be on its way): never a second order.
 */
async function placeOrder(body: object, traceId: string): Promise<OrderView> {
  const headers = {
    'idempotency-key': randomUUID(),
    // The client starts the trace: every span of the saga carries this id.
    traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
  };
  return waitFor(
    'POST /orders to be accepted',
    async () => {
      const response = await call(`${url.order}/orders`, 'POST', body, headers);
      if (response.status === 202) return response.body as OrderView;
      if (response.status !== 422)
        throw new Error(`POST /orders: ${response.status} ${JSON.stringify(response.body)}`);
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

function outcome(orderId: string): Promise<OrderView> {
  return waitFor(
    `order ${orderId} to leave PENDING`,
    async () => {
      const order = (await call(`${url.order}/orders/${orderId}`, 'GET')).body as OrderView;
      return order.status !== 'PENDING' && order;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

async function main(): Promise<void> {
  await waitFor(
    'the seeded catalog (MUG-001)',
    async () => (await fetch(`${url.inventory}/products/MUG-001`).catch(() => undefined))?.status === 200,
    { timeoutMs: 120_000, intervalMs: 1000 },
  );
  const run = randomUUID().slice(0, 8);

  const traceId = randomBytes(16).toString('hex');
  const placed = await placeOrder(
    { customerId: `ada-${run}`, items: [{ sku: 'MUG-001', quantity: 2 }] },
    traceId,
  );
  const confirmed = await outcome(placed.orderId);
  expect(
    confirmed.status === 'CONFIRMED',
    `order ${placed.orderId}: ${confirmed.status}, expected CONFIRMED`,
  );
  console.log(`order ${confirmed.orderId}: CONFIRMED, total ${confirmed.totalCents} cents`);

  const declined = await placeOrder(
    {
      customerId: `alan-${run}`,
      items: [{ sku: 'MUG-001', quantity: 1 }],
      paymentMethod: { token: 'tok_decline' },
    },
    randomBytes(16).toString('hex'),
  );
  const cancelled = await outcome(declined.orderId);
  expect(
    cancelled.status === 'CANCELLED' && cancelled.cancelReason === 'PAYMENT_DECLINED',
    `order ${declined.orderId}: ${cancelled.status} ${cancelled.cancelReason ?? ''}, expected CANCELLED PAYMENT_DECLINED`,
  );
  console.log(`order ${cancelled.orderId}: CANCELLED (PAYMENT_DECLINED)`);

  const traced = await waitFor(
    `trace ${traceId} in Jaeger with spans from every service`,
    async () => {
      const response = await fetch(`${url.jaeger}/api/traces/${traceId}`).catch(() => undefined);
      if (response?.status !== 200) return undefined;
      const [trace] = ((await response.json()) as { data: JaegerTrace[] }).data;
      if (!trace) return undefined;
      const seen = new Set(trace.spans.map((span) => trace.processes[span.processID]?.serviceName));
      return services.every((service) => seen.has(service)) && { spans: trace.spans.length, services: seen };
    },
    { timeoutMs: 60_000, intervalMs: 1000 },
  );
  console.log(`trace ${traceId}: ${traced.spans} spans from ${[...traced.services].join(', ')}`);

  const subject = `Your order ${confirmed.orderId} is confirmed`;
  const recipient = `${confirmed.customerId}@customers.example`;
  await waitFor(
    `the mail "${subject}" to ${recipient} in Mailpit`,
    async () => {
      const { messages } = (await call(`${url.mailpit}/api/v1/messages`, 'GET')).body as {
        messages: { Subject: string; To: { Address: string }[] }[];
      };
      return messages.some((m) => m.Subject === subject && m.To.some((to) => to.Address === recipient));
    },
    { timeoutMs: 60_000, intervalMs: 1000 },
  );
  console.log(`mail: "${subject}" to ${recipient}`);
  const payments = (await call(`${url.payment}/payments?orderId=${confirmed.orderId}`, 'GET')).body as {
    status: string;
    amountCents: number;
  }[];
  expect(
    payments.length === 1 &&
      payments[0]?.status === 'AUTHORIZED' &&
      payments[0].amountCents === confirmed.totalCents,
    `payments of ${confirmed.orderId}: ${JSON.stringify(payments)}, expected one authorization of the total`,
  );
  await verifyConsole(confirmed.orderId);
  await verifyMonitoring();
  console.log('compose demo verified');
}

/** The console's read model has the confirmed order's story, from every service's events. */
async function verifyConsole(orderId: string): Promise<void> {
  const expected = ['OrderPlaced', 'StockReserved', 'PaymentAuthorized', 'OrderConfirmed', 'StockCommitted'];
  const timeline = await waitFor(
    `order ${orderId} CONFIRMED on the console's timeline`,
    async () => {
      const response = await call(`${url.console}/api/orders/${orderId}`, 'GET');
      if (response.status !== 200) return undefined;
      const order = response.body as { status: string; timeline: { type: string }[] };
      const types = order.timeline.map((entry) => entry.type);
      return order.status === 'CONFIRMED' && expected.every((type) => types.includes(type)) && types;
    },
    { timeoutMs: 60_000, intervalMs: 1000 },
  );
  console.log(`console: order ${orderId} CONFIRMED, timeline ${timeline.join(' > ')}`);
  const asyncApi = (await call(`${url.console}/asyncapi.json`, 'GET')).body as { asyncapi: string };
  expect(asyncApi.asyncapi === '3.0.0', `console /asyncapi.json: ${JSON.stringify(asyncApi).slice(0, 100)}`);
}

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

/**
 * Prometheus scrapes every service and the console; Grafana (in CI its stand-in) serves the
 * provisioned dashboard, and each panel's query, sent through Grafana's data source proxy, is
 * answered by Prometheus. Panels on counters that only exist after a failure (dead letters) may
 * be empty here; the e2e suite checks every panel with data (monitoring-dashboard.e2e.spec.ts).
 */
async function verifyMonitoring(): Promise<void> {
  const jobs = [...services, 'order-console'];
  await waitFor(
    'Prometheus to scrape every service',
    async () => {
      const { data } = (await call(`${url.prometheus}/api/v1/query?query=up%20%3D%3D%201`, 'GET')).body as {
        data: { result: { metric: { job: string } }[] };
      };
      const up = new Set(data.result.map((series) => series.metric.job));
      return jobs.every((job) => up.has(job));
    },
    { timeoutMs: 90_000, intervalMs: 2000 },
  );
  console.log(`prometheus: ${jobs.join(', ')} up`);
  const { dashboard } = (await call(`${url.grafana}/api/dashboards/uid/ecommerce-saga`, 'GET')).body as {
    dashboard: Dashboard;
  };
  let withData = 0;
  for (const panel of dashboard.panels) {
    for (const { expr } of panel.targets) {
      const answer = await call(
        `${url.grafana}/api/datasources/proxy/uid/prometheus/api/v1/query?query=${encodeURIComponent(expr)}`,
        'GET',
      );
      const body = answer.body as { status: string; data?: { result: unknown[] } };
      expect(
        answer.status === 200 && body.status === 'success',
        `panel "${panel.title}": ${JSON.stringify(body)}`,
      );
      if ((body.data?.result.length ?? 0) > 0) withData++;
    }
  }
  console.log(
    `grafana: dashboard ecommerce-saga, ${dashboard.panels.length} panels, ${withData} with data now`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
