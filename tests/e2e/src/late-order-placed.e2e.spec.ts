import { randomBytes, randomUUID } from 'node:crypto';

import { serviceNames, waitForInvariants } from '@ecommerce/system-runner';
import { waitFor } from '@ecommerce/test-infra';
import { Client } from 'pg';

import { call, startSystem, type RunningSystem, type ServiceName } from './running-services';

interface OrderView {
  orderId: string;
  status: string;
  cancelReason?: string;
}

interface DeadLetterView {
  consumerGroup: string;
  key: string | null;
  eventId: string | null;
  eventType: string | null;
  attempts: number;
  errorCode: string;
}

/**
 * A session of "someone else" on a service's database (a migration, a bulk job) holding a lock in
 * an open transaction until released: every transaction of the service that needs it waits, for
 * at most DATABASE_TRANSACTION_TIMEOUT_MS (its statement is cancelled then, which spends an
 * attempt).
 */
async function holdLock(databaseUrl: string, lockingStatement: string, values: unknown[] = []) {
  const session = new Client({ connectionString: databaseUrl });
  await session.connect();
  await session.query('BEGIN');
  await session.query(lockingStatement, values);
  return {
    release: async () => {
      await session.query('ROLLBACK');
      await session.end();
    },
  };
}

/**
 * SPEC 4: a service that learned of an order's cancellation before its OrderPlaced remembers it, and
 * the late OrderPlaced reserves, authorizes and sends nothing. Here the OrderPlaced comes late the
 * way the README says is safe: an operator replays it from the dead-letter topics after the order
 * timed out. It got there realistically and deterministically: while inventory's and payment's
 * databases had locks held by another session, each try to apply it outlived the transaction
 * timeout and spent an attempt, until the last one dead-lettered it.
 */
describe('a dead-lettered OrderPlaced replayed after its order timed out', () => {
  let system: RunningSystem;
  const sku = `LATE-${randomUUID().slice(0, 8)}`;
  const adminToken = randomBytes(32).toString('hex');
  const admin = { authorization: `Bearer ${adminToken}` };

  beforeAll(async () => {
    system = await startSystem({
      ADMIN_TOKEN: adminToken,
      // A transaction (and a statement waiting on a lock) gives up after 1 s, so a try of the
      // blocked OrderPlaced ends quickly; the saga times out only after it has been dead-lettered.
      DATABASE_TRANSACTION_TIMEOUT_MS: '1000',
      SAGA_TIMEOUT_MS: '15000',
    });
    await call(`${system.url('inventory')}/products/${sku}`, 'PUT', { name: 'Lamp', priceCents: 4000 });
    await call(`${system.url('inventory')}/products/${sku}/stock`, 'POST', { quantity: 3 });
  });

  afterAll(async () => {
    await system?.stop();
  });

  /** A service's dead letters, through its admin API. */
  const deadLetters = async (service: ServiceName) =>
    (await call(`${system.url(service)}/admin/dead-letters`, 'GET', undefined, admin))
      .body as DeadLetterView[];
  const deadLettersOf = async (service: ServiceName, orderId: string) =>
    (await deadLetters(service)).filter((letter) => letter.key === orderId);

  /** How many `eventType` events `group` has handled with `outcome`, from the service's /metrics. */
  async function handled(service: ServiceName, group: string, eventType: string, outcome: string) {
    const text = await (await fetch(`${system.url(service)}/metrics`)).text();
    const labels = [`group="${group}"`, `event_type="${eventType}"`, `outcome="${outcome}"`];
    return text
      .split('\n')
      .filter((line) => line.startsWith('ecommerce_handler_duration_seconds_count{'))
      .filter((line) => labels.every((label) => line.includes(label)))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  }

  it('when the operator replays it, then it changes no stock and leaves no un-refunded authorization', async () => {
    const inventoryLock = await holdLock(
      system.databaseUrl('inventory'),
      'SELECT 1 FROM products WHERE sku = $1 FOR UPDATE',
      [sku],
    );
    const paymentLock = await holdLock(
      system.databaseUrl('payment'),
      'LOCK TABLE order_payment_requests IN SHARE MODE',
    );
    let placed: OrderView;
    let letters: DeadLetterView[];
    try {
      placed = await waitFor('the order to be accepted', async () => {
        const response = await call(`${system.url('order')}/orders`, 'POST', {
          customerId: 'late-1',
          items: [{ sku, quantity: 2 }],
        });
        return response.status === 202 && (response.body as OrderView);
      });
      letters = await waitFor(
        'OrderPlaced to be dead-lettered by inventory and by payment',
        async () => {
          const found = [
            ...(await deadLettersOf('inventory', placed.orderId)),
            ...(await deadLettersOf('payment', placed.orderId)),
          ];
          return found.length === 2 && found;
        },
        { timeoutMs: 60_000 },
      );
    } finally {
      await inventoryLock.release();
      await paymentLock.release();
    }
    expect(letters.map((letter) => [letter.consumerGroup, letter.eventType, letter.attempts])).toEqual([
      ['inventory-service', 'OrderPlaced', 5],
      ['payment-service', 'OrderPlaced', 5],
    ]);

    // The order times out; inventory and payment apply its OrderCancelled before any OrderPlaced.
    const cancelled = await waitFor(
      'the order to time out',
      async () => {
        const order = (await call(`${system.url('order')}/orders/${placed.orderId}`, 'GET'))
          .body as OrderView;
        return order.status !== 'PENDING' && order;
      },
      { timeoutMs: 60_000 },
    );
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
    await waitFor(
      'inventory and payment to apply the cancellation',
      async () =>
        (await handled('inventory', 'inventory-service', 'OrderCancelled', 'processed')) === 1 &&
        (await handled('payment', 'payment-service', 'OrderCancelled', 'processed')) === 1,
    );

    // The operator replays each service's letter (the README says replaying is safe).
    for (const service of ['inventory', 'payment'] as const) {
      const [letter] = await deadLettersOf(service, placed.orderId);
      const replay = await call(
        `${system.url(service)}/admin/dead-letters/replay`,
        'POST',
        { eventId: letter?.eventId },
        admin,
      );
      expect(replay.status).toBe(200);
    }
    await waitFor(
      'the replayed OrderPlaced to be applied by inventory and payment',
      async () =>
        (await handled('inventory', 'inventory-service', 'OrderPlaced', 'processed')) >= 1 &&
        (await handled('payment', 'payment-service', 'OrderPlaced', 'processed')) >= 1,
      { timeoutMs: 60_000 },
    );

    // Once quiet, SPEC 5 holds: no units held for the cancelled order, no authorization kept for it.
    // (Invariant 6 is read from the dead letters: the only ones, in every service, are the two
    // replayed OrderPlaced.)
    const invariants = await waitForInvariants(
      system,
      {
        stockBaseline: { [sku]: 3 },
        nothingLost: async () => {
          const all = (await Promise.all(serviceNames.map(deadLetters))).flat();
          const onlyTheReplayed = all.every((l) => l.key === placed.orderId && l.eventType === 'OrderPlaced');
          return {
            held: all.length === 2 && onlyTheReplayed,
            detail: `dead letters: ${all.map((l) => `${l.consumerGroup} ${l.eventType} ${l.key}`).join(', ')}`,
          };
        },
      },
      { timeoutMs: 60_000 },
    );
    expect({
      stock: (await call(`${system.url('inventory')}/products/${sku}`, 'GET')).body,
      payments: (await call(`${system.url('payment')}/payments?orderId=${placed.orderId}`, 'GET')).body,
      violated: invariants.filter((result) => !result.held),
    }).toEqual({
      stock: expect.objectContaining({ onHand: 3, reserved: 0, available: 3 }),
      payments: [],
      violated: [],
    });
  });
});
