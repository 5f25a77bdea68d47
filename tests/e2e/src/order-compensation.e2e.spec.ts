import { randomUUID } from 'node:crypto';

import { waitFor } from '@ecommerce/test-infra';

import { call, startSystem, type RunningSystem } from './running-services';

interface OrderView {
  orderId: string;
  status: string;
  cancelReason?: string;
  timeline: { type: string }[];
}

/**
 * Compensations while a payment is in flight. The simulated gateway is slowed down, so an order
 * is still PENDING, with stock reserved, when the customer cancels or the saga times out; the
 * authorization then lands after the cancellation and must be refunded.
 */
describe.each([
  ['a customer cancel', { PAYMENT_GATEWAY_LATENCY_MS: '2000', SAGA_TIMEOUT_MS: '60000' }, 'CUSTOMER_REQUEST'],
  ['the saga timeout', { PAYMENT_GATEWAY_LATENCY_MS: '3000', SAGA_TIMEOUT_MS: '1000' }, 'TIMEOUT'],
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
    const order = () =>
      call(`${system.url('order')}/orders/${placed.orderId}`, 'GET').then((r) => r.body as OrderView);
    await waitFor('the stock to be reserved', async () =>
      (await order()).timeline.some((e) => e.type === 'StockReserved'),
    );

    if (reason === 'CUSTOMER_REQUEST') {
      expect((await call(`${system.url('order')}/orders/${placed.orderId}/cancel`, 'POST')).status).toBe(202);
      expect((await call(`${system.url('order')}/orders/${placed.orderId}/cancel`, 'POST')).status).toBe(409);
    }

    expect(
      await waitFor('the cancellation', async () => {
        const now = await order();
        return now.status !== 'PENDING' && now;
      }),
    ).toMatchObject({ status: 'CANCELLED', cancelReason: reason });
    await waitFor('the stock to be released', async () => {
      const product = (await call(`${system.url('inventory')}/products/${sku}`, 'GET')).body as {
        onHand: number;
        reserved: number;
      };
      return product.onHand === 3 && product.reserved === 0;
    });
    // The slow authorization was already under way (its StockReserved came first) and lands after
    // the cancellation; it must end refunded, never kept.
    const payments = await waitFor(
      'the late authorization to be refunded',
      async () => {
        const found = (await call(`${system.url('payment')}/payments?orderId=${placed.orderId}`, 'GET'))
          .body as { status: string }[];
        return found.length > 0 && found.every((p) => p.status === 'REFUNDED') && found;
      },
      { timeoutMs: 30_000 },
    );
    expect(payments).toHaveLength(1);
  });
});
