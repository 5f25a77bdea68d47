import { randomUUID } from 'node:crypto';

import { waitFor } from '@ecommerce/test-infra';

import { call, startSystem, type RunningSystem } from './running-services';

interface OrderView {
  orderId: string;
  status: string;
  cancelReason?: string;
  timeline: { type: string }[];
}

/** How many `eventType` events consumer group `group` has finished handling, from payment's /metrics. */
async function handled(system: RunningSystem, group: string, eventType: string): Promise<number> {
  const text = await (await fetch(`${system.url('payment')}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('ecommerce_handler_duration_seconds_count{') &&
        line.includes(`group="${group}"`) &&
        line.includes(`event_type="${eventType}"`),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/**
 * Compensations while a payment is in flight. The simulated gateway is slowed down, so an order is
 * usually still PENDING, with stock reserved and its authorization under way, when the customer
 * cancels or the saga times out; that authorization then lands after the cancellation and must be
 * refunded (or, if the cancellation reached the payment service first, never be made).
 */
describe.each([
  ['a customer cancel', { PAYMENT_GATEWAY_LATENCY_MS: '2000', SAGA_TIMEOUT_MS: '60000' }, 'CUSTOMER_REQUEST'],
  ['the saga timeout', { PAYMENT_GATEWAY_LATENCY_MS: '4000', SAGA_TIMEOUT_MS: '2000' }, 'TIMEOUT'],
] as const)('%s while the payment is in flight', (_name, settings, reason) => {
  let system: RunningSystem;
  const sku = `COMP-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    system = await startSystem(settings);
    await call(`${system.url('inventory')}/products/${sku}`, 'PUT', { name: 'Lamp', priceCents: 4000 });
    await call(`${system.url('inventory')}/products/${sku}/stock`, 'POST', { quantity: 3 });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it(`when it happens, then the order is cancelled (${reason}), its stock released and no authorization kept`, async () => {
    const placed = await waitFor('the order to be accepted', async () => {
      const response = await call(`${system.url('order')}/orders`, 'POST', {
        customerId: 'c-1',
        items: [{ sku, quantity: 2 }],
      });
      return response.status === 202 && (response.body as OrderView);
    });
    const order = async () =>
      (await call(`${system.url('order')}/orders/${placed.orderId}`, 'GET')).body as OrderView;

    if (reason === 'CUSTOMER_REQUEST') {
      await waitFor('the stock to be reserved', async () =>
        (await order()).timeline.some((e) => e.type === 'StockReserved'),
      );
      expect((await call(`${system.url('order')}/orders/${placed.orderId}/cancel`, 'POST')).status).toBe(202);
      expect((await call(`${system.url('order')}/orders/${placed.orderId}/cancel`, 'POST')).status).toBe(409);
    }

    const final = await waitFor('the cancellation', async () => {
      const now = await order();
      return now.status !== 'PENDING' && now;
    });
    expect(final).toMatchObject({ status: 'CANCELLED', cancelReason: reason });
    await waitFor('the stock to be released', async () => {
      const product = (await call(`${system.url('inventory')}/products/${sku}`, 'GET')).body as {
        onHand: number;
        reserved: number;
      };
      return product.onHand === 3 && product.reserved === 0;
    });
    // Settled once the payment service has handled both the reservation (it may authorize, slowly)
    // and the cancellation (it refunds what was authorized, or prevents the authorization): in
    // either arrival order, no authorization may be left.
    await waitFor(
      'the payment service to handle StockReserved and OrderCancelled',
      async () =>
        (await handled(system, 'payment-service.inventory', 'StockReserved')) >= 1 &&
        (await handled(system, 'payment-service', 'OrderCancelled')) >= 1,
      { timeoutMs: 60_000 },
    );
    const payments = (await call(`${system.url('payment')}/payments?orderId=${placed.orderId}`, 'GET'))
      .body as {
      status: string;
    }[];
    expect(payments.filter((p) => p.status !== 'REFUNDED')).toEqual([]);
  });
});
