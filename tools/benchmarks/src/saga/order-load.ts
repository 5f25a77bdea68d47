import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import type { LoadShape } from './flags';
import type { OrderSample } from './order-samples';
import type { TerminalOrderWatcher } from './terminal-orders';

export interface OrderLoad {
  /** performance.now() when the load started: sample times are relative to it. */
  startedAt: number;
  samples: OrderSample[];
  /** POSTs that did not answer 202 (or did not answer), with the first few causes. */
  httpFailures: number;
  failureExamples: string[];
  /** Accepted orders whose ending was not seen within the deadline. */
  unfinished: number;
}

export interface OrderLoadOptions {
  shape: LoadShape;
  seconds: number;
  /** `POST /orders` for the n-th order; resolves to its id, or throws with the reason. */
  placeOrder: (n: number) => Promise<string>;
  watcher: TerminalOrderWatcher;
  /** Past the services' saga timeout (30 s), after which every order has an outcome anyway. */
  endingTimeoutMs: number;
  signal: AbortSignal;
}

/**
 * Places orders for `seconds` and follows each to its terminal state; resolves once every placed
 * order has ended (or missed its deadline). Closed loop: `concurrency` workers, each placing its
 * next order when the previous one ended, so latency is measured at a known load. Open loop: one
 * order per slot of the schedule whatever the system's state, and latency counts from the slot,
 * not from when the request left, so a stalled system is charged for the orders it delayed
 * (no coordinated omission).
 */
export async function driveOrders(options: OrderLoadOptions): Promise<OrderLoad> {
  const { shape, seconds, placeOrder, watcher, endingTimeoutMs, signal } = options;
  const load: OrderLoad = {
    startedAt: performance.now(),
    samples: [],
    httpFailures: 0,
    failureExamples: [],
    unfinished: 0,
  };
  const now = () => performance.now() - load.startedAt;
  const endAt = seconds * 1_000;
  let placed = 0;

  const follow = async (startedAt: number): Promise<void> => {
    let orderId: string;
    try {
      orderId = await placeOrder(placed++);
    } catch (error) {
      load.httpFailures += 1;
      if (load.failureExamples.length < 5) load.failureExamples.push(String(error));
      return;
    }
    const acceptedAt = now();
    const ending = await watcher.whenEnded(orderId, endingTimeoutMs, signal);
    if (!ending) {
      load.unfinished += 1;
      return;
    }
    load.samples.push({
      startedAt,
      acceptedAt,
      endedAt: ending.at - load.startedAt,
      outcome: ending.outcome,
      ...(ending.cancelReason && { cancelReason: ending.cancelReason }),
    });
  };

  if (shape.kind === 'concurrency') {
    await Promise.all(
      Array.from({ length: shape.concurrency }, async () => {
        while (now() < endAt && !signal.aborted) await follow(now());
      }),
    );
    return load;
  }
  const inFlight = new Set<Promise<void>>();
  const slotMs = 1_000 / shape.ordersPerSecond;
  for (let slot = 0; slot * slotMs < endAt && !signal.aborted; slot++) {
    const due = slot * slotMs;
    // Waiting for the next slot is the schedule itself, not synchronisation on a condition.
    if (due > now()) await sleep(due - now());
    const order = follow(due).finally(() => inFlight.delete(order));
    inFlight.add(order);
  }
  await Promise.all(inFlight);
  return load;
}
