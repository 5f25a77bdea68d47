import { randomUUID } from 'node:crypto';

import { waitForInvariants } from '@ecommerce/system-runner';
import { waitFor } from '@ecommerce/test-infra';

import { call, counterTotal, startSystem, type RunningSystem } from './running-services';

interface OrderView {
  orderId: string;
  status: string;
  cancelReason?: string;
  totalCents: number;
  items: { sku: string; quantity: number }[];
}

interface StockView {
  onHand: number;
  reserved: number;
  available: number;
}

/**
 * The order saga across the five services, driven only through their REST APIs (SPEC sections 2
 * and 4): the services are separate processes talking only through Kafka.
 */
describe.each([1, 2])('order saga end to end, %i instance(s) of every service', (instances) => {
  let system: RunningSystem;
  const sku = `E2E-${randomUUID().slice(0, 8)}`;
  const raceSku = `RACE-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    system = await startSystem({ SAGA_TIMEOUT_MS: '60000' }, { instances });
    expect(
      (await call(`${system.url('inventory')}/products/${sku}`, 'PUT', { name: 'Mug', priceCents: 1250 }))
        .status,
    ).toBe(201);
    expect(
      (await call(`${system.url('inventory')}/products/${sku}/stock`, 'POST', { quantity: 10 })).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await system?.stop();
  });

  /** Places an order once the order service's catalog replica knows the sku (422 until then). */
  async function placeOrder(body: object): Promise<OrderView> {
    return waitFor('the order to be accepted', async () => {
      const response = await call(`${system.url('order')}/orders`, 'POST', body);
      if (response.status === 422) return undefined;
      expect(response.status).toBe(202);
      return response.body as OrderView;
    });
  }

  const orderOf = async (orderId: string) =>
    (await call(`${system.url('order')}/orders/${orderId}`, 'GET')).body as OrderView;
  const stock = async () =>
    (await call(`${system.url('inventory')}/products/${sku}`, 'GET')).body as StockView;
  const terminal = (orderId: string) =>
    waitFor(`order ${orderId} to end`, async () => {
      const order = await orderOf(orderId);
      return order.status !== 'PENDING' && order;
    });

  it('when an order is placed and paid, then it is confirmed, stock is committed, payment authorized and the customer told', async () => {
    const order = await placeOrder({ customerId: 'customer-1', items: [{ sku, quantity: 2 }] });
    expect(order).toMatchObject({ status: 'PENDING', totalCents: 2500 });

    expect(await terminal(order.orderId)).toMatchObject({ status: 'CONFIRMED' });
    await waitFor(
      'the reservation to be committed',
      async () => (await stock()).reserved === 0 && (await stock()).onHand === 8,
    );
    const payments = (await call(`${system.url('payment')}/payments?orderId=${order.orderId}`, 'GET')).body;
    expect(payments).toEqual([expect.objectContaining({ status: 'AUTHORIZED', amountCents: 2500 })]);
    const notifications = await waitFor('both notifications', async () => {
      const found = (
        await call(`${system.url('notification')}/notifications?orderId=${order.orderId}`, 'GET')
      ).body as { template: string }[];
      return found.length >= 2 && found;
    });
    expect(notifications.map((n) => n.template).sort()).toEqual(['order-confirmed', 'order-received']);
  });

  it('when the card is declined, then the order is cancelled and its stock released', async () => {
    const before = await stock();
    const order = await placeOrder({
      customerId: 'customer-2',
      items: [{ sku, quantity: 3 }],
      paymentMethod: { token: 'tok_decline' },
    });

    expect(await terminal(order.orderId)).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'PAYMENT_DECLINED',
    });
    await waitFor('the reservation to be released', async () => {
      const now = await stock();
      return now.reserved === 0 && now.onHand === before.onHand && now;
    });
    const payments = (await call(`${system.url('payment')}/payments?orderId=${order.orderId}`, 'GET')).body;
    expect(payments).toEqual([expect.objectContaining({ status: 'FAILED', reason: 'CARD_DECLINED' })]);
  });

  it('when too little stock is left, then the order is cancelled as out of stock and nothing is reserved', async () => {
    const before = await stock();
    const order = await placeOrder({
      customerId: 'customer-3',
      items: [{ sku, quantity: before.available + 1 }],
    });
    expect(await terminal(order.orderId)).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'OUT_OF_STOCK',
    });
    expect(await stock()).toEqual(expect.objectContaining({ onHand: before.onHand, reserved: 0 }));
  });

  it('when a POST /orders is retried with the same Idempotency-Key, then the same order comes back and no second one exists', async () => {
    const customerId = `customer-${randomUUID()}`;
    const body = { customerId, items: [{ sku, quantity: 1 }] };
    const headers = { 'idempotency-key': randomUUID() };
    const first = await call(`${system.url('order')}/orders`, 'POST', body, headers);
    const second = await call(`${system.url('order')}/orders`, 'POST', body, headers);
    expect(first.status).toBe(202);
    expect(second).toMatchObject({ status: 202, body: first.body });
    const other = await call(
      `${system.url('order')}/orders`,
      'POST',
      { ...body, items: [{ sku, quantity: 2 }] },
      headers,
    );
    expect(other.status).toBe(422);
    const listed = (await call(`${system.url('order')}/orders?customerId=${customerId}`, 'GET')).body as {
      items: unknown[];
    };
    expect(listed.items).toHaveLength(1);
    await terminal((first.body as OrderView).orderId);
  });

  it('when 50 orders race for 5 units, then exactly 5 are confirmed, available is never seen negative, and no reservation needed the database to refuse it', async () => {
    await call(`${system.url('inventory')}/products/${raceSku}`, 'PUT', { name: 'Limited', priceCents: 999 });
    await call(`${system.url('inventory')}/products/${raceSku}/stock`, 'POST', { quantity: 5 });
    await placeOrder({ customerId: 'warm-up', items: [{ sku: raceSku, quantity: 6 }] }); // waits for the replica; rejected: 6 > 5
    const raceStock = async () =>
      (await call(`${system.url('inventory')}/products/${raceSku}`, 'GET')).body as StockView;
    // The database's CHECK constraint refuses an oversold reservation, and the consumer would retry
    // it: counted, a refusal shows that the locking let two orders take the same unit.
    const reservationRetries = () =>
      counterTotal(system, 'inventory', 'ecommerce_handler_retries_total', {
        group: 'inventory-service',
        event_type: 'OrderPlaced',
      });
    const retriesBefore = await reservationRetries();
    let racing = true;
    const availableSeen: number[] = [];
    const sampling = (async () => {
      while (racing) {
        availableSeen.push((await raceStock()).available);
        await new Promise((resolve) => setTimeout(resolve, 50)); // sampling interval, not a synchronisation
      }
    })();

    let outcomes: OrderView[];
    try {
      // 50 requests at once can find the order service's connection pool busy: it answers 503
      // DATABASE_UNAVAILABLE with nothing changed, and a client sends the same request again.
      const orders = await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const idempotencyKey = { 'idempotency-key': randomUUID() };
          const body = { customerId: `racer-${i}`, items: [{ sku: raceSku, quantity: 1 }] };
          return waitFor(`order ${i} to be accepted`, async () => {
            const response = await call(`${system.url('order')}/orders`, 'POST', body, idempotencyKey);
            return response.status !== 503 && response;
          });
        }),
      );
      expect(orders.map((o) => o.status)).toEqual(Array(50).fill(202));
      outcomes = await Promise.all(orders.map((o) => terminal((o.body as OrderView).orderId)));
    } finally {
      racing = false;
      await sampling;
    }

    expect(outcomes.filter((o) => o.status === 'CONFIRMED')).toHaveLength(5);
    expect(outcomes.filter((o) => o.cancelReason === 'OUT_OF_STOCK')).toHaveLength(45);
    await waitFor('the confirmed reservations to be committed', async () => {
      const now = await raceStock();
      return now.onHand === 0 && now.reserved === 0;
    });
    expect(availableSeen.length).toBeGreaterThan(1);
    expect(Math.min(...availableSeen)).toBeGreaterThanOrEqual(0);
    expect((await reservationRetries()) - retriesBefore).toBe(0);
  });

  it.each([
    ['order', 'POST', '/orders', { customerId: '', items: [] }],
    ['order', 'POST', '/orders', { customerId: 'c', items: [{ sku: 'x', quantity: 1001 }] }],
    ['order', 'GET', '/orders/not-a-uuid', undefined],
    ['inventory', 'PUT', '/products/SKU-1', { name: 'x', priceCents: -1 }],
    ['inventory', 'POST', '/products/SKU-1/stock', { quantity: 'ten' }],
    ['payment', 'GET', '/payments?orderId=nope', undefined],
    ['notification', 'GET', '/notifications?orderId=nope', undefined],
    ['analytics', 'GET', '/analytics/sales?bucket=day', undefined],
    ['analytics', 'GET', '/analytics/products/top?limit=0', undefined],
    ['order', 'GET', '/orders?limit=0', undefined],
    ['order', 'POST', '/orders/not-a-uuid/cancel', undefined],
    ['order', 'POST', '/orders', { customerId: 'c', items: [{ sku: 'x', quantity: 1 }], extra: true }],
    ['inventory', 'GET', '/products/not a sku', undefined],
    ['inventory', 'PUT', '/products/SKU-1', { name: 'x', priceCents: 1, unexpected: 1 }],
  ] as const)(
    'when %s gets bad input (%s %s), then it answers 400 problem+json',
    async (service, method, path, body) => {
      const response = await call(`${system.url(service)}${path}`, method, body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    },
  );

  it('when every endpoint gets bad input, then nothing changes: no order, no stock movement', async () => {
    const ordersBefore = (
      (await call(`${system.url('order')}/orders?limit=100`, 'GET')).body as { items: unknown[] }
    ).items.length;
    const stockBefore = await stock();
    const bad = await Promise.all([
      call(`${system.url('order')}/orders`, 'POST', { customerId: 'c', items: [{ sku, quantity: 0 }] }),
      call(`${system.url('order')}/orders`, 'POST', {
        customerId: 'c',
        items: [{ sku, quantity: 1 }],
        paymentMethod: { token: 7 },
      }),
      call(`${system.url('inventory')}/products/${sku}/stock`, 'POST', { quantity: 0 }),
      call(`${system.url('inventory')}/products/${sku}/stock`, 'POST', { quantity: -1_000_000 }),
      call(`${system.url('inventory')}/products/${sku}`, 'PUT', { name: '', priceCents: 1 }),
    ]);
    for (const response of bad) expect([400, 409, 422]).toContain(response.status);
    expect(
      ((await call(`${system.url('order')}/orders?limit=100`, 'GET')).body as { items: unknown[] }).items,
    ).toHaveLength(ordersBefore);
    expect(await stock()).toEqual(stockBefore);
    expect(
      ((await call(`${system.url('inventory')}/products/${sku}`, 'GET')).body as { name: string }).name,
    ).toBe('Mug');
  });

  it('after the runs, the invariants of SPEC section 5 hold', async () => {
    const results = await waitForInvariants(system, { stockBaseline: { [sku]: 10, [raceSku]: 5 } });
    expect(results.filter((result) => !result.held)).toEqual([]);
    expect(results.map((result) => result.invariant)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
