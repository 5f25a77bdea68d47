import { distribution, percentile, type Distribution } from '../stats';

/** One order as the load generator saw it. Times are ms since the load started. */
export interface OrderSample {
  /** When the order was due: the POST's start (closed loop) or its slot in the schedule (open loop). */
  startedAt: number;
  /** When `POST /orders` answered 202. */
  acceptedAt: number;
  /** When its terminal event (OrderConfirmed or OrderCancelled) was seen. */
  endedAt: number;
  outcome: 'CONFIRMED' | 'CANCELLED';
  cancelReason?: string;
}

export interface SecondStats {
  /** Seconds since the load started. */
  second: number;
  /** Orders that reached a terminal state during this second. */
  completed: number;
  p50: number;
  p99: number;
  /** Highest consumer lag sampled during this second (-1: no sample). */
  maxLag: number;
}

export interface LagSample {
  at: number;
  maxLag: number;
}

export interface MeasuredOrders {
  /** Orders that started inside the window (their latency counts, wherever they end). */
  started: number;
  /** Orders that reached a terminal state inside the window (the throughput). */
  completedInWindow: number;
  ordersPerSecond: number;
  confirmed: number;
  cancelled: Record<string, number>;
  /** POST to terminal state. */
  latencyMs: Distribution;
  /** POST to 202 (the synchronous part). */
  acceptMs: Distribution;
}

/**
 * The figures of the measured window [fromMs, toMs): throughput counts the orders that ended in
 * it, latencies those that started in it (so slow orders near the end still count).
 */
export function measureOrders(samples: readonly OrderSample[], fromMs: number, toMs: number): MeasuredOrders {
  const started = samples.filter((s) => s.startedAt >= fromMs && s.startedAt < toMs);
  const completedInWindow = samples.filter((s) => s.endedAt >= fromMs && s.endedAt < toMs).length;
  const cancelled: Record<string, number> = {};
  for (const sample of started) {
    if (sample.outcome === 'CANCELLED') {
      const reason = sample.cancelReason ?? 'UNKNOWN';
      cancelled[reason] = (cancelled[reason] ?? 0) + 1;
    }
  }
  return {
    started: started.length,
    completedInWindow,
    ordersPerSecond: completedInWindow / ((toMs - fromMs) / 1_000),
    confirmed: started.filter((s) => s.outcome === 'CONFIRMED').length,
    cancelled,
    latencyMs: distribution(started.map((s) => s.endedAt - s.startedAt)),
    acceptMs: distribution(started.map((s) => s.acceptedAt - s.startedAt)),
  };
}

/** Per second of the run, by the second each order ended in: what the report's chart draws. */
export function secondBySecond(samples: readonly OrderSample[], lag: readonly LagSample[]): SecondStats[] {
  const lastSecond = Math.floor(
    Math.max(0, ...samples.map((s) => s.endedAt), ...lag.map((l) => l.at)) / 1_000,
  );
  const latencies: number[][] = Array.from({ length: lastSecond + 1 }, () => []);
  for (const sample of samples)
    latencies[Math.floor(sample.endedAt / 1_000)]?.push(sample.endedAt - sample.startedAt);
  const maxLag = Array.from({ length: lastSecond + 1 }, () => -1);
  for (const { at, maxLag: value } of lag) {
    const second = Math.floor(at / 1_000);
    maxLag[second] = Math.max(maxLag[second] ?? -1, value);
  }
  return latencies.map((values, second) => {
    const sorted = values.sort((a, b) => a - b);
    return {
      second,
      completed: sorted.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      maxLag: maxLag[second] ?? -1,
    };
  });
}
