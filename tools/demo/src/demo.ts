/**
 * `npm run demo`: the whole system on this machine, no Docker. Brings the local infrastructure up
 * (or uses it if it runs), starts the five services and the order console on their ports, seeds a
 * catalog, places orders that take every path of the saga, and prints each outcome and the analytics
 * summary. Ctrl-C stops the services and whatever infrastructure this run started.
 *
 * With `KAFKA_BROKERS`, `SCHEMA_REGISTRY_URL` and `POSTGRES_URL` all set, it uses that
 * infrastructure as it is (as the tests do), creating and migrating the databases on that server.
 */
import { databaseUrlOnServer } from '@ecommerce/database';
import { migrateServiceDatabase, serviceDatabases } from '@ecommerce/db-tools';
import { localInfraDown, localInfraUp } from '@ecommerce/local-infra';
import { ServiceProcess } from '@ecommerce/system-runner';

const ports = {
  order: 3001,
  inventory: 3002,
  payment: 3003,
  notification: 3004,
  analytics: 3005,
  console: 3006,
} as const;
type Service = keyof typeof ports;
const url = (service: Service, path: string) => `http://127.0.0.1:${ports[service]}${path}`;
const children = new Map<Service, ServiceProcess>();
const CONSOLE_URL = `http://127.0.0.1:${ports.console}`;

interface OrderView {
  orderId: string;
  status: string;
  cancelReason?: string;
  totalCents: number;
  timeline: { type: string }[];
}

interface Summary {
  ordersPlaced: number;
  ordersConfirmed: number;
  ordersCancelled: number;
}

async function call(
  service: Service,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url(service, path), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function startService(service: Service, env: NodeJS.ProcessEnv): Promise<void> {
  const instance = new ServiceProcess({
    service,
    ...(service === 'console' && { app: 'order-console' }),
    port: ports[service],
    env: { ...env, LOG_LEVEL: 'warn' },
    inheritOutput: true,
  });
  children.set(service, instance);
  await instance.start();
  console.log(
    `  ${service === 'console' ? 'order console' : `${service}-service`} ready on :${ports[service]}`,
  );
}

async function stopService(service: Service): Promise<void> {
  await children.get(service)?.stop();
  children.delete(service);
}

/** The infrastructure given in the environment (all three set), or the local one, started if needed. */
async function infrastructure(): Promise<{
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  databaseUrls: Readonly<Record<string, string>>;
  startedNow: boolean;
}> {
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, POSTGRES_URL } = process.env;
  if (KAFKA_BROKERS && SCHEMA_REGISTRY_URL && POSTGRES_URL) {
    console.log(
      `infrastructure from the environment: Kafka ${KAFKA_BROKERS}, registry ${SCHEMA_REGISTRY_URL}`,
    );
    const databaseUrls: Record<string, string> = {};
    for (const service of serviceDatabases) {
      databaseUrls[service.databaseName] = databaseUrlOnServer(POSTGRES_URL, service.databaseName);
      await migrateServiceDatabase(service, databaseUrls[service.databaseName] as string);
    }
    return {
      kafkaBrokers: KAFKA_BROKERS,
      schemaRegistryUrl: SCHEMA_REGISTRY_URL,
      databaseUrls,
      startedNow: false,
    };
  }
  console.log('infrastructure (Kafka, schema registry, PostgreSQL databases)');
  return localInfraUp({
    afterDatabasesReady: async (urls) => {
      for (const service of serviceDatabases) {
        const databaseUrl = urls[service.databaseName];
        if (databaseUrl) await migrateServiceDatabase(service, databaseUrl);
      }
    },
  });
}

async function main(): Promise<void> {
  const infra = await infrastructure();
  const stopAll = async () => {
    await Promise.all([...children.keys()].map(stopService));
    if (infra.startedNow) await localInfraDown();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

  const env: NodeJS.ProcessEnv = {
    KAFKA_BROKERS: infra.kafkaBrokers,
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    // A slow (simulated) gateway leaves time to cancel; a short timeout shows the TIMEOUT path.
    PAYMENT_GATEWAY_LATENCY_MS: '1500',
    SAGA_TIMEOUT_MS: '6000',
    ...Object.fromEntries(
      serviceDatabases.map((s) => [s.databaseUrlVariable, infra.databaseUrls[s.databaseName]]),
    ),
  };
  console.log('services');
  for (const service of ['inventory', 'order', 'payment', 'notification', 'analytics'] as const)
    await startService(service, env);
  await startService('console', { ...env, CONSOLE_ORDER_SERVICE_URL: url('order', '') });
  console.log(
    `\norder console: ${CONSOLE_URL}  (orders moving live, consumer lag, dead letters, outboxes)\n`,
  );

  const run = Date.now().toString(36).toUpperCase();
  const mug = `MUG-${run}`;
  const lamp = `LAMP-${run}`;
  console.log(`catalog: ${mug} (10 in stock, 12.50), ${lamp} (1 in stock, 4,000.00)`);
  await call('inventory', 'PUT', `/products/${mug}`, { name: 'Mug', priceCents: 1250 });
  await call('inventory', 'POST', `/products/${mug}/stock`, { quantity: 10, reason: 'demo seed' });
  await call('inventory', 'PUT', `/products/${lamp}`, { name: 'Lamp', priceCents: 400000 });
  await call('inventory', 'POST', `/products/${lamp}/stock`, { quantity: 1, reason: 'demo seed' });

  const place = (label: string, body: object) =>
    until(`order "${label}" to be accepted`, async () => {
      const response = await call('order', 'POST', '/orders', body);
      return response.status === 202 && { label, orderId: (response.body as OrderView).orderId };
    });
  const outcome = (orderId: string) =>
    until(`order ${orderId} to end`, async () => {
      const order = (await call('order', 'GET', `/orders/${orderId}`)).body as OrderView;
      return order.status !== 'PENDING' && order;
    });
  const report = async ({ label, orderId }: { label: string; orderId: string }) => {
    const order = await outcome(orderId);
    const payments = (await call('payment', 'GET', `/payments?orderId=${orderId}`)).body as {
      status: string;
    }[];
    console.log(
      `  ${label.padEnd(34)} ${order.status.padEnd(9)} ${(order.cancelReason ?? '').padEnd(16)} ` +
        `total ${(order.totalCents / 100).toFixed(2).padStart(9)}  payments: ${payments.map((p) => p.status).join(', ') || '-'}`,
    );
  };

  console.log('orders');
  const orders = [
    await place('happy path', { customerId: 'ada', items: [{ sku: mug, quantity: 2 }] }),
    await place('happy path, two lines', {
      customerId: 'grace',
      items: [
        { sku: mug, quantity: 1 },
        { sku: lamp, quantity: 1 },
      ],
    }),
    await place('card declined', {
      customerId: 'alan',
      items: [{ sku: mug, quantity: 1 }],
      paymentMethod: { token: 'tok_decline' },
    }),
    await place('out of stock', { customerId: 'edsger', items: [{ sku: mug, quantity: 50 }] }),
  ];
  const toCancel = await place('customer cancel during payment', {
    customerId: 'barbara',
    items: [{ sku: mug, quantity: 1 }],
  });
  await until('the stock to be reserved', async () =>
    ((await call('order', 'GET', `/orders/${toCancel.orderId}`)).body as OrderView).timeline.some(
      (entry) => entry.type === 'StockReserved',
    ),
  );
  await call('order', 'POST', `/orders/${toCancel.orderId}/cancel`);
  orders.push(toCancel);
  // Every order so far reaches its outcome before the payment service is taken away.
  for (const order of orders) await report(order);

  await stopService('payment');
  const timedOut = await place('timeout (payment service down)', {
    customerId: 'donald',
    items: [{ sku: mug, quantity: 1 }],
  });
  await outcome(timedOut.orderId);
  await startService('payment', env);
  await report(timedOut);
  orders.push(timedOut);

  const summary = await until('analytics to catch up', async () => {
    const body = (await call('analytics', 'GET', '/analytics/summary')).body as Summary;
    const settled = body.ordersConfirmed + body.ordersCancelled;
    return body.ordersPlaced >= orders.length && settled >= orders.length && body;
  });
  console.log('analytics summary (this database, all runs):', JSON.stringify(summary));
  console.log(
    `\nservices keep running: open the order console at ${CONSOLE_URL}, or try http://127.0.0.1:3001/docs. Ctrl-C stops everything.`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  void Promise.all([...children.keys()].map(stopService)).then(() => process.exit(1));
});
