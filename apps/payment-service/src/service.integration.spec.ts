import { randomUUID } from 'node:crypto';

import { sampleEvents } from '@ecommerce/contracts/testing';
import { FaultProxy } from '@ecommerce/fault-proxy';
import { writeEvent } from '@ecommerce/runtime';
import { startServiceTestHarness, type ServiceTestHarnessOf } from '@ecommerce/runtime/testing';
import { createPgTransactions, freePort, testInfrastructure, waitFor } from '@ecommerce/test-infra';

import { SimulatedPaymentGateway, type PaymentGateway } from './gateway/simulated-payment-gateway';
import { paymentService } from './service';
import { orderPlaced, stockReserved } from './testing/payment-events';

type PaymentHarness = ServiceTestHarnessOf<typeof paymentService>;

/** GET /health/ready: its status and each check's. */
async function readiness(harness: PaymentHarness) {
  const response = await harness.app.inject({ method: 'GET', url: '/health/ready' });
  const body = response.json<{ checks: Record<string, { status: string; error?: string }> }>();
  return { statusCode: response.statusCode, checks: body.checks };
}

const isDown = (check: string) => async (harness: PaymentHarness) => {
  const { statusCode, checks } = await readiness(harness);
  return statusCode === 503 && checks[check]?.status === 'down';
};

describe('readiness of a service started by the runtime', () => {
  it('when every part runs, then it is ready; when its consumers stop, then it is not, and says so', async () => {
    const payment = await startServiceTestHarness(paymentService, { startConsumers: true });
    try {
      await waitFor('the service to be ready', async () => (await readiness(payment)).statusCode === 200);
      expect(Object.keys((await readiness(payment)).checks).sort()).toEqual([
        'consumers',
        'database',
        'kafka',
        'outboxRelay',
        'schemaRegistry',
      ]);

      await payment.consumers.stop();

      const { statusCode, checks } = await readiness(payment);
      expect(statusCode).toBe(503);
      expect(checks['consumers']).toMatchObject({ status: 'down' });
      expect(checks['database']).toEqual({ status: 'up' });
    } finally {
      await payment.close();
    }
  });

  it('when Kafka stops answering while an event waits in the outbox, then the relay fails readiness after OUTBOX_STALL_WINDOW_MS', async () => {
    const [host = '127.0.0.1', port] = (testInfrastructure().kafkaBrokers.split(',')[0] ?? '').split(':');
    const broker = await FaultProxy.start({
      target: { host, port: Number(port) },
      listen: { port: await freePort() },
    });
    const payment = await startServiceTestHarness(paymentService, {
      settings: { KAFKA_BROKERS: broker.address, OUTBOX_STALL_WINDOW_MS: '1500' },
    });
    try {
      await waitFor(
        'the relay to be ready',
        async () => (await readiness(payment)).checks['outboxRelay']?.status === 'up',
      );

      await broker.setMode({ kind: 'blackhole' });
      const event = { ...sampleEvents.PaymentAuthorized, eventId: randomUUID(), orderId: randomUUID() };
      await payment.db.$transaction((tx) =>
        writeEvent(tx, payment.events, { type: 'PaymentAuthorized', payload: event }),
      );

      await waitFor('the relay to fail readiness', () => isDown('outboxRelay')(payment), {
        timeoutMs: 30_000,
      });
    } finally {
      await broker.setMode({ kind: 'pass' });
      await payment.close();
      await broker.stop();
    }
  }, 120_000);

  it('when the service stops while a consumer is charging an order, then the charge in hand is finished and recorded, not left to a redelivery', async () => {
    const slowGateway = new SimulatedPaymentGateway({ latencyMs: 1_500 });
    let gatewayAsked: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => (gatewayAsked = resolve));
    const gateway: PaymentGateway = {
      authorize: async (request) => {
        gatewayAsked();
        return slowGateway.authorize(request);
      },
    };
    const payment = await startServiceTestHarness(
      { ...paymentService, parts: () => ({ gateway }) },
      { startConsumers: true, settings: { KAFKA_TOPIC_PARTITIONS: '1' } },
    );
    const database = createPgTransactions(payment.database.url);
    try {
      const placed = orderPlaced();
      await payment.publish({ type: 'OrderPlaced', payload: placed });
      await waitFor(
        'OrderPlaced to be applied',
        async () => (await payment.db.orderPaymentRequest.count()) === 1,
      );
      await payment.publish({ type: 'StockReserved', payload: stockReserved(placed) });
      await asked;

      await payment.stop(); // SIGTERM's path: HTTP, consumers (the charge in hand), parts, relay, database

      const payments = await database.query('SELECT status FROM payments WHERE order_id = $1', [
        placed.orderId,
      ]);
      expect(payments).toEqual([{ status: 'AUTHORIZED' }]);
      expect(slowGateway.chargesOf(placed.orderId)).toBe(1);
    } finally {
      await database.close();
      await payment.close();
    }
  }, 120_000);
});
