/**
 * Checks a running compose demo (`docker compose up`) from the outside, as its README tells a
 * person to: an order placed over REST is CONFIRMED, one paid with a declined card is CANCELLED,
 * the confirmed order's trace is in Jaeger with spans from all five services, and its confirmation
 * mail is in Mailpit. CI runs it against the compose file on its own images (.ci/docker.sh).
 *
 *   npx tsx tools/compose-check/src/verify-compose-demo.ts
 *
 * Base URLs default to the compose file's published ports; ORDER_URL, INVENTORY_URL,
 * PAYMENT_URL, JAEGER_URL and MAILPIT_URL override them.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { call, waitFor } from '@ecommerce/system-runner';

const url = {
  order: process.env['ORDER_URL'] ?? 'http://127.0.0.1:3001',
  inventory: process.env['INVENTORY_URL'] ?? 'http://127.0.0.1:3002',
  payment: process.env['PAYMENT_URL'] ?? 'http://127.0.0.1:3003',
  jaeger: process.env['JAEGER_URL'] ?? 'http://127.0.0.1:16686',
  mailpit: process.env['MAILPIT_URL'] ?? 'http://127.0.0.1:8025',
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
  console.log('compose demo verified');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
