import { randomUUID } from 'node:crypto';

import type { EventMetadata, OrderPlaced } from '@ecommerce/contracts';
import { createPrismaClient } from '@ecommerce/database';
import { proxyDatabase } from '@ecommerce/fault-proxy';
import { PermanentFailure } from '@ecommerce/runtime';
import { waitFor } from '@ecommerce/test-infra';

import type { SagaInput } from '../domain/order-saga';
import { PrismaClient } from '../generated/prisma/client';
import type { OrderDatabase, OrderTx } from '../persistence/order-database';
import { addCatalogItem, startOrderTestHarness, type OrderTestHarness } from '../testing/order-test-harness';
import { lockSagaBatch } from '../consumers/saga-events.consumer';
import { handleSagaEvent } from './handle-saga-event';
import { placeOrder } from './place-order';
import { startSagaTimeoutSweeper, sweepTimedOutOrders } from './saga-timeout';

describe('the order saga (order side) on a real database', () => {
  let harness: OrderTestHarness;

  beforeAll(async () => {
    harness = await startOrderTestHarness();
    await addCatalogItem(harness, 'SAGA-1', 1000);
  });

  afterAll(async () => {
    await harness?.close();
  });

  const deps = () => ({ db: harness.db, events: harness.events, metrics: harness.metrics });
  const placing = () => ({ runInTransaction: harness.sql.runInTransaction, events: harness.events });

  /** A placed order and its OrderPlaced, as the saga's other participants saw it. */
  const placed = async (): Promise<OrderPlaced> => {
    const { orderId } = await placeOrder(placing(), {
      customerId: 'customer-1',
      items: [{ sku: 'SAGA-1', quantity: 3 }],
    });
    const [event] = (await harness.outboxEvents('OrderPlaced')).filter((e) => e.orderId === orderId);
    return event as OrderPlaced;
  };

  /** Another service's event about the order, in reaction to `cause`. */
  const reaction = (cause: EventMetadata & { orderId: string }) => ({
    eventId: randomUUID(),
    correlationId: cause.correlationId,
    orderId: cause.orderId,
  });

  const deliver = (event: { eventId: string; correlationId: string; orderId: string }, input: SagaInput) =>
    harness.db.$transaction((tx) => handleSagaEvent(tx, deps(), event, input));

  const orderOf = (orderId: string) =>
    harness.db.order.findUniqueOrThrow({
      where: { id: orderId },
      include: { timeline: { orderBy: { id: 'asc' } } },
    });
  const timelineOf = async (orderId: string) => (await orderOf(orderId)).timeline.map((entry) => entry.type);
  const announced = async (type: 'OrderConfirmed' | 'OrderCancelled', orderId: string) =>
    (await harness.outboxEvents(type)).filter((event) => event.orderId === orderId);
  const sagaOutcomes = async () =>
    Object.fromEntries(
      (await harness.metrics.sagaOutcomes.get()).values.map((v) => [
        `${v.labels.outcome}/${v.labels.reason}`,
        v.value,
      ]),
    );

  it('when stock is reserved and then payment authorized, then the order is CONFIRMED and OrderConfirmed announced', async () => {
    const order = await placed();
    const reserved = reaction(order);
    const authorized = reaction(order);

    await deliver(reserved, { type: 'StockReserved' });
    expect((await orderOf(order.orderId)).status).toBe('PENDING');
    await deliver(authorized, { type: 'PaymentAuthorized' });

    expect(await orderOf(order.orderId)).toMatchObject({ status: 'CONFIRMED', cancelReason: null });
    expect(await timelineOf(order.orderId)).toEqual(['OrderPlaced', 'StockReserved', 'PaymentAuthorized']);
    expect(await announced('OrderConfirmed', order.orderId)).toEqual([
      expect.objectContaining({
        customerId: 'customer-1',
        totalCents: 3000,
        currency: 'USD',
        correlationId: order.correlationId,
        causationId: authorized.eventId,
      }),
    ]);
    expect(await sagaOutcomes()).toMatchObject({ 'CONFIRMED/none': 1 });
    const duration = (await harness.metrics.sagaDuration.get()).values.find(
      (v) => v.metricName === 'ecommerce_saga_duration_seconds_count' && v.labels.outcome === 'CONFIRMED',
    );
    expect(duration?.value).toBe(1);
  });

  it.each([
    ['StockRejected', 'OUT_OF_STOCK'],
    ['PaymentFailed', 'PAYMENT_DECLINED'],
  ] as const)(
    'when %s arrives, then the order is CANCELLED (%s) and OrderCancelled announced',
    async (type, reason) => {
      const order = await placed();
      const event = reaction(order);

      await deliver(event, { type });

      expect(await orderOf(order.orderId)).toMatchObject({ status: 'CANCELLED', cancelReason: reason });
      expect(await timelineOf(order.orderId)).toEqual(['OrderPlaced', type]);
      expect(await announced('OrderCancelled', order.orderId)).toEqual([
        expect.objectContaining({ reason, correlationId: order.correlationId, causationId: event.eventId }),
      ]);
      expect(await sagaOutcomes()).toMatchObject({ [`CANCELLED/${reason}`]: 1 });
    },
  );

  it('when payment is authorized after the order was cancelled, then it is ignored and the order stays CANCELLED', async () => {
    const order = await placed();
    await deliver(reaction(order), { type: 'StockRejected' });

    const decision = await deliver(reaction(order), { type: 'PaymentAuthorized' });

    expect(decision).toMatchObject({ outcome: 'ignored' });
    expect(await orderOf(order.orderId)).toMatchObject({ status: 'CANCELLED', cancelReason: 'OUT_OF_STOCK' });
    expect(await timelineOf(order.orderId)).toEqual(['OrderPlaced', 'StockRejected']);
    expect(await announced('OrderConfirmed', order.orderId)).toEqual([]);
    expect(await announced('OrderCancelled', order.orderId)).toHaveLength(1);
  });

  it('when an event names an order this service does not have, then it fails permanently (dead letter)', async () => {
    const ghost = { eventId: randomUUID(), correlationId: randomUUID(), orderId: randomUUID() };
    await expect(deliver(ghost, { type: 'StockReserved' })).rejects.toBeInstanceOf(PermanentFailure);
  });

  describe('the saga timeout', () => {
    const hourMs = 3_600_000;
    const backdateMs = hourMs + 60_000;
    /** Makes orders an hour older, so a sweep with an hour's timeout takes them and no other test's. */
    const backdate = (orders: readonly { orderId: string }[]) =>
      harness.db.$executeRawUnsafe(
        `UPDATE orders SET created_at = created_at - make_interval(secs => $2) WHERE id = ANY($1::uuid[])`,
        orders.map((order) => order.orderId),
        backdateMs / 1000,
      );

    // The harness runs the service as main.ts does, its own sweeper included. Were its timeout
    // within what these tests backdate, it would race each test's sweeps for the same orders (a
    // CI run saw both sweeps of the test below find nothing: the service's sweeper had taken all six).
    it("the service's own sweeper, running beside these tests, never takes an order they backdate", () => {
      expect(harness.config.SAGA_TIMEOUT_MS).toBeGreaterThan(backdateMs);
    });

    it('when a pending order is older than the timeout, then the sweep cancels it (TIMEOUT) once; younger and terminal orders are left alone', async () => {
      const stale = await placed();
      const confirmed = await placed();
      await deliver(reaction(confirmed), { type: 'PaymentAuthorized' });
      const fresh = await placed();
      await backdate([stale, confirmed]);

      await sweepTimedOutOrders(deps(), hourMs);
      await sweepTimedOutOrders(deps(), hourMs);

      expect(await orderOf(stale.orderId)).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
      expect(await timelineOf(stale.orderId)).toEqual(['OrderPlaced', 'TimedOut']);
      expect(await announced('OrderCancelled', stale.orderId)).toEqual([
        expect.objectContaining({ reason: 'TIMEOUT', correlationId: stale.correlationId, causationId: null }),
      ]);
      expect((await orderOf(confirmed.orderId)).status).toBe('CONFIRMED');
      expect((await orderOf(fresh.orderId)).status).toBe('PENDING');
    });

    it('when the sweeper runs with a small timeout, then a forgotten order is cancelled without anyone asking', async () => {
      const order = await placed();
      const sweeper = startSagaTimeoutSweeper({ ...deps(), logger: harness.logger }, 200);
      try {
        await waitFor(
          'the timed-out order',
          async () => (await orderOf(order.orderId)).status === 'CANCELLED',
          {
            timeoutMs: 10_000,
          },
        );
      } finally {
        await sweeper.stop();
      }
      expect((await orderOf(order.orderId)).cancelReason).toBe('TIMEOUT');
    });

    it('when no order is about to expire, then the sweeper sleeps until one can (at most the timeout less a transaction timeout), and still cancels each order within its interval of expiring', async () => {
      // timeout 4 s and transactions of at most 1 s: an interval of 1 s, and idle sleeps of 3 s.
      const [timeoutMs, transactionTimeoutMs, intervalMs] = [4_000, 1_000, 1_000];
      const sweepsAt: number[] = [];
      const counted = new Proxy(harness.db, {
        get(target, property) {
          if (property !== '$transaction') return Reflect.get(target, property, target);
          return (...args: Parameters<OrderDatabase['$transaction']>) => {
            sweepsAt.push(Date.now());
            return target.$transaction(...args);
          };
        },
      }) as OrderDatabase;
      const order = await placed();
      const sweeper = startSagaTimeoutSweeper({ ...deps(), db: counted, logger: harness.logger }, timeoutMs, {
        batchSize: 50,
        transactionTimeoutMs,
      });
      let sweepsWhenCancelled = 0;
      try {
        await waitFor(
          'the order to time out',
          async () => (await orderOf(order.orderId)).status === 'CANCELLED',
          {
            timeoutMs: 15_000,
          },
        );
        sweepsWhenCancelled = sweepsAt.length;
        await waitFor('two more sweeps', () => sweepsAt.length >= sweepsWhenCancelled + 2, {
          timeoutMs: 15_000,
        });
      } finally {
        await sweeper.stop();
      }

      const cancelled = await orderOf(order.orderId);
      const timedOut = cancelled.timeline.find((entry) => entry.type === 'TimedOut');
      const lateMs = (timedOut?.at.getTime() ?? Number.NaN) - cancelled.createdAt.getTime() - timeoutMs;
      expect(lateMs).toBeGreaterThanOrEqual(0);
      expect(lateMs).toBeLessThan(intervalMs + 500);
      // Nothing pending after it: the sweeper slept its longest (3 s), where it used to sweep every second.
      const sleptMs = (sweepsAt[sweepsWhenCancelled + 1] ?? 0) - (sweepsAt[sweepsWhenCancelled] ?? 0);
      expect(sleptMs).toBeGreaterThanOrEqual(timeoutMs - transactionTimeoutMs - 100);
    });

    it('when two sweeps run at once, then both hold their batches at the same time, the batches are disjoint, and each expired order is cancelled exactly once', async () => {
      const orders = await Promise.all(Array.from({ length: 6 }, () => placed()));
      await backdate(orders);
      // Each sweep, its batch locked, waits until the other has locked its own: if sweeps could
      // not overlap (or one waited for the other's rows), this would never open.
      const bothLocked = meetingPoint(2, 'the other sweep to lock its batch');
      const sweep = () =>
        sweepTimedOutOrders({ ...deps(), db: pausedAfterLocking(harness.db, bothLocked) }, hourMs, {
          batchSize: 4,
          transactionTimeoutMs: 20_000,
        });

      const results = await Promise.all([sweep(), sweep()]);

      // 6 orders, at most 4 per batch, both batches held at once: each took some, together all.
      const cancelled = results.map((result) => result.cancelled);
      expect(cancelled.reduce((sum, count) => sum + count, 0)).toBe(orders.length);
      expect(Math.min(...cancelled)).toBeGreaterThanOrEqual(2);
      for (const order of orders) {
        expect(await announced('OrderCancelled', order.orderId)).toHaveLength(1);
      }
    });

    it('when the database is slow, then a backlog of expired orders is cancelled in transactions that each fit their timeout', async () => {
      const orders = await Promise.all(Array.from({ length: 40 }, () => placed()));
      await backdate(orders);
      // Every statement of the sweeper's connections takes 2 x 20 ms more: the 40 orders take
      // several times the transaction timeout in all.
      const { proxy, url } = await proxyDatabase(harness.database.url, { mode: { kind: 'delay', ms: 20 } });
      const slowDatabase = createPrismaClient(PrismaClient, url);
      const failures: unknown[] = [];
      const sweeper = startSagaTimeoutSweeper(
        {
          ...deps(),
          db: slowDatabase,
          logger: { info: () => undefined, error: (context) => void failures.push(context) },
        },
        hourMs,
        { batchSize: 50, transactionTimeoutMs: 2_000 },
      );
      try {
        await waitFor(
          'every expired order to be cancelled',
          async () =>
            (await harness.db.order.count({
              where: { id: { in: orders.map((order) => order.orderId) }, status: 'CANCELLED' },
            })) === orders.length,
          { timeoutMs: 120_000, intervalMs: 500 },
        );
      } finally {
        await sweeper.stop();
        await slowDatabase.$disconnect();
        await proxy.stop();
      }
      expect(failures).toEqual([]);
      for (const order of orders) {
        expect(await announced('OrderCancelled', order.orderId)).toHaveLength(1);
      }
    });
  });

  it("when a batch of saga events takes its locks first (lockSagaBatch), then it holds exactly its orders' rows", async () => {
    const [first, second, other] = [await placed(), await placed(), await placed()];
    // The locks read the events' order ids alone; the rest of their payloads is left out.
    const consumed = (type: 'StockReserved' | 'PaymentAuthorized', cause: OrderPlaced) => {
      const payload = reaction(cause);
      const event = {
        type,
        payload,
        eventId: payload.eventId,
        topic: 'inventory',
        partition: 0,
        offset: '0',
      };
      return { ...event, key: null, headers: {} } as unknown as Parameters<typeof lockSagaBatch>[0][number];
    };

    const unlocked = await harness.db.$transaction(async (tx) => {
      await lockSagaBatch([consumed('StockReserved', second), consumed('PaymentAuthorized', first)], tx);
      // Another session, while the batch's transaction holds its locks.
      const free = await harness.db.$queryRawUnsafe<{ id: string }[]>(
        'SELECT id::text FROM orders WHERE id = ANY($1::uuid[]) FOR UPDATE SKIP LOCKED',
        [first.orderId, second.orderId, other.orderId],
      );
      return free.map((row) => row.id);
    });
    expect(unlocked).toEqual([other.orderId]);
  });
});

/**
 * Resolves for everyone once `parties` callers have arrived; fails after `timeoutMs` if they do
 * not all arrive, naming what was waited for.
 */
function meetingPoint(parties: number, description: string, timeoutMs = 15_000): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return async () => {
    arrived += 1;
    if (arrived === parties) open();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([opened, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * `prisma`, whose transactions stop at `meet()` once their `FOR UPDATE` query, the one that locks a
 * sweep's batch, has returned: a sweep that waited for another's locks never gets there.
 */
function pausedAfterLocking(prisma: PrismaClient, meet: () => Promise<void>): OrderDatabase {
  const transaction = <T>(
    work: (tx: OrderTx) => Promise<T>,
    options?: { timeout?: number; maxWait?: number },
  ) =>
    prisma.$transaction(
      (tx) =>
        work(
          new Proxy(tx, {
            get(target, property) {
              if (property !== '$queryRawUnsafe') return Reflect.get(target, property, target);
              return async (query: string, ...values: unknown[]) => {
                const rows = await target.$queryRawUnsafe(query, ...values);
                if (query.includes('FOR UPDATE')) await meet();
                return rows;
              };
            },
          }),
        ),
      options,
    );
  return {
    $transaction: transaction,
    order: prisma.order,
    catalogItem: prisma.catalogItem,
  } as unknown as OrderDatabase;
}
