import { commandMetadata } from '@ecommerce/event-backbone';

import type { OrderDatabase } from '../persistence/order-database';
import { lockExpiredPendingOrders } from '../persistence/order-repository';
import { applySagaInput, type SagaDeps } from './saga-transition';

/** Orders cancelled per sweep transaction; a full batch is followed at once by another. */
export const SWEEP_BATCH_SIZE = 100;

/**
 * Cancels (TIMEOUT) up to one batch of orders PENDING for longer than `timeoutMs`, in one
 * transaction, each through `decide` like any other saga input, announced as OrderCancelled with
 * no cause and the order's correlation id. Rows another transaction holds are skipped (SKIP
 * LOCKED): a saga event being applied to one wins, and another instance's sweep takes its own.
 * Returns how many orders were cancelled.
 */
export async function sweepTimedOutOrders(
  deps: SagaDeps & { db: OrderDatabase },
  timeoutMs: number,
): Promise<number> {
  return deps.db.$transaction(async (tx) => {
    const expired = await lockExpiredPendingOrders(tx, timeoutMs, SWEEP_BATCH_SIZE);
    let cancelled = 0;
    for (const order of expired) {
      const decision = await applySagaInput(
        tx,
        deps,
        order,
        { type: 'TimedOut' },
        commandMetadata(order.correlationId),
      );
      if (decision.outcome === 'applied') cancelled += 1;
    }
    return cancelled;
  });
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
 * quarter of the timeout late. Sweeps never overlap (the next is scheduled when one ends), and a
 * failed sweep is logged and tried again at the next tick.
 */
export function startSagaTimeoutSweeper(
  deps: SagaDeps & { db: OrderDatabase; logger: SweeperLogger },
  timeoutMs: number,
): SagaTimeoutSweeper {
  const intervalMs = Math.max(1, Math.min(1000, Math.floor(timeoutMs / 4)));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const sweep = async (): Promise<void> => {
    try {
      let cancelled: number;
      do {
        cancelled = await sweepTimedOutOrders(deps, timeoutMs);
        if (cancelled > 0) deps.logger.info({ cancelled, timeoutMs }, 'timed-out orders cancelled');
      } while (cancelled === SWEEP_BATCH_SIZE && !stopped);
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
