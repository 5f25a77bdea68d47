import { commandMetadata } from '@ecommerce/runtime';

import type { OrderDatabase } from '../persistence/order-database';
import { lockExpiredPendingOrders } from '../persistence/order-repository';
import { applySagaInput, type SagaDeps } from './saga-transition';

/**
 * How much one sweep transaction may take on. A sweep's work grows with the backlog of expired
 * orders (a consumer group stalled for a while, a restart after an outage) and each order costs a
 * few statements, so under load a fixed batch can outlast its transaction's timeout: the
 * transaction is rolled back, and the next sweep takes the same batch and fails the same way,
 * forever. So a sweep stops taking orders once half its timeout is spent (the commit, and the
 * order in hand, fit in the other half) and commits what it did; the sweeper goes on at once.
 */
export interface SweepLimits {
  /** Orders locked per transaction at most. */
  batchSize: number;
  /** Timeout of each sweep's transaction (`DATABASE_TRANSACTION_TIMEOUT_MS` in the service). */
  transactionTimeoutMs: number;
}

export const defaultSweepLimits: SweepLimits = { batchSize: 50, transactionTimeoutMs: 10_000 };

export interface SweepResult {
  cancelled: number;
  /** Expired orders may be left: the batch was full, or the time budget cut it short. */
  more: boolean;
}

/**
 * Cancels (TIMEOUT) orders PENDING for longer than `timeoutMs`, in one transaction, within
 * `limits`, each through `decide` like any other saga input, announced as OrderCancelled with no
 * cause and the order's correlation id. Rows another transaction holds are skipped (SKIP LOCKED):
 * a saga event being applied to one wins, and two sweeps at once (another instance's) lock
 * disjoint batches, so no order is cancelled twice. At least one order is cancelled per sweep, so
 * even a database slow enough to fit only one makes progress.
 */
export async function sweepTimedOutOrders(
  deps: SagaDeps & { db: OrderDatabase },
  timeoutMs: number,
  limits: SweepLimits = defaultSweepLimits,
): Promise<SweepResult> {
  return deps.db.$transaction(
    async (tx) => {
      const stopTakingOrdersAt = Date.now() + limits.transactionTimeoutMs / 2;
      const expired = await lockExpiredPendingOrders(tx, timeoutMs, limits.batchSize);
      let cancelled = 0;
      let taken = 0;
      for (const order of expired) {
        if (taken > 0 && Date.now() >= stopTakingOrdersAt) break;
        taken += 1;
        const decision = await applySagaInput(
          tx,
          deps,
          order,
          { type: 'TimedOut' },
          commandMetadata(order.correlationId),
        );
        if (decision.outcome === 'applied') cancelled += 1;
      }
      return { cancelled, more: taken < expired.length || expired.length === limits.batchSize };
    },
    { timeout: limits.transactionTimeoutMs },
  );
}

export interface SweeperLogger {
  info(context: object, message: string): void;
  error(context: object, message: string): void;
}

export interface SagaTimeoutSweeper {
  /** Stops scheduling sweeps and waits for the one in progress, if any. */
  stop(): Promise<void>;
}

/**
 * Runs `sweepTimedOutOrders` every min(1000, timeout / 4) ms, so an order is cancelled at most a
 * quarter of the timeout late, and again at once while a sweep leaves expired orders behind. Sweeps
 * of one sweeper never overlap (the next is scheduled when one ends), and a failed sweep is logged
 * and tried again at the next tick.
 */
export function startSagaTimeoutSweeper(
  deps: SagaDeps & { db: OrderDatabase; logger: SweeperLogger },
  timeoutMs: number,
  limits: SweepLimits = defaultSweepLimits,
): SagaTimeoutSweeper {
  const intervalMs = Math.max(1, Math.min(1000, Math.floor(timeoutMs / 4)));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const sweep = async (): Promise<void> => {
    try {
      let result: SweepResult;
      do {
        result = await sweepTimedOutOrders(deps, timeoutMs, limits);
        if (result.cancelled > 0) {
          deps.logger.info({ cancelled: result.cancelled, timeoutMs }, 'timed-out orders cancelled');
        }
      } while (result.more && !stopped);
    } catch (error) {
      deps.logger.error({ err: error }, 'saga timeout sweep failed; retrying at the next tick');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().then(schedule);
    }, intervalMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
