import { commandMetadata } from '@ecommerce/runtime';

import type { OrderDatabase } from '../persistence/order-database';
import { lockExpiredPendingOrders, msUntilOldestPendingExpires } from '../persistence/order-repository';
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
  /**
   * When the oldest order still PENDING after this sweep expires, in ms from the sweep's start on
   * the database's clock (negative: it has, and another transaction holds it); null: none pending.
   */
  nextExpiryInMs: number | null;
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
      const more = taken < expired.length || expired.length === limits.batchSize;
      // A sweep that leaves expired orders is followed at once; the query would only be waste.
      const nextExpiryInMs = more ? null : await msUntilOldestPendingExpires(tx, timeoutMs);
      return { cancelled, more, nextExpiryInMs };
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
 * Runs `sweepTimedOutOrders` whenever an order can have expired, so each is cancelled at most
 * `intervalMs` = min(1000, timeout / 4) ms late, and again at once while a sweep leaves expired
 * orders behind. Between sweeps it sleeps until the oldest PENDING order it saw expires (at least
 * `intervalMs`, so orders another transaction holds are not polled in a loop), and at most
 * `timeout - transactionTimeoutMs`: an order it could not see yet was placed in a transaction
 * still open, begun at most `transactionTimeoutMs` before the sweep, so it expires after that.
 * An idle order service sweeps every 25 s with the defaults, not every second (issue 12, idle CPU).
 * Sweeps of one sweeper never overlap (the next is scheduled when one ends), and a failed sweep is
 * logged and tried again after `intervalMs`.
 */
export function startSagaTimeoutSweeper(
  deps: SagaDeps & { db: OrderDatabase; logger: SweeperLogger },
  timeoutMs: number,
  limits: SweepLimits = defaultSweepLimits,
): SagaTimeoutSweeper {
  const intervalMs = Math.max(1, Math.min(1000, Math.floor(timeoutMs / 4)));
  const longestSleepMs = Math.max(intervalMs, timeoutMs - limits.transactionTimeoutMs);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  /** Sweeps until no expired order is left to take; returns how long to sleep before the next. */
  const sweep = async (): Promise<number> => {
    try {
      let result: SweepResult;
      do {
        result = await sweepTimedOutOrders(deps, timeoutMs, limits);
        if (result.cancelled > 0) {
          deps.logger.info({ cancelled: result.cancelled, timeoutMs }, 'timed-out orders cancelled');
        }
      } while (result.more && !stopped);
      return nextSweepDelayMs(result.nextExpiryInMs, intervalMs, longestSleepMs);
    } catch (error) {
      deps.logger.error({ err: error }, 'saga timeout sweep failed; retrying at the next tick');
      return intervalMs;
    }
  };
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().then(schedule);
    }, delayMs);
  };
  schedule(intervalMs);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** The sweeper's sleep: until the next expiry, within [intervalMs, longestSleepMs]. */
export function nextSweepDelayMs(
  nextExpiryInMs: number | null,
  intervalMs: number,
  longestSleepMs: number,
): number {
  if (nextExpiryInMs === null) return longestSleepMs;
  return Math.min(longestSleepMs, Math.max(intervalMs, Math.ceil(nextExpiryInMs)));
}
