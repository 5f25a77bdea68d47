import type { ClientOrder, OrderKind } from './order-load';
import { faultCheck, type CheckRow, type FaultKind } from './report';

/**
 * How long orders waited for their outcome while a fault lasted: what SPEC section 10 means by
 * "stalls the saga only briefly". Pure functions of the orders' times, unit-tested apart from a run.
 */

/** A stretch of the run during which a fault was in force (epoch ms), recorded by the fault. */
export interface FaultWindow {
  kind: FaultKind;
  target: string;
  from: number;
  /** Undefined: in force until the load stopped (a broker that stays down for the rest of the run). */
  to: number | undefined;
  /**
   * Set when the fault must not make any order time out, and why (SPEC section 10 for the loss of
   * one broker of three): the run then checks it. Without it the figures are only reported.
   */
  noTimeoutBecause?: string;
  /**
   * Set when the fault stops the whole saga by design (the only broker down): how long the orders
   * in flight wait then depends on how long the broker takes to stop and start, which the system
   * does not control, so their TIMEOUTs are reported but not counted against the run's TIMEOUT
   * share (C4). What the system controls is judged instead: after the fault, the saga settles
   * orders again within `resumeWithinMs`.
   */
  wholeSagaStops?: { resumeWithinMs: number };
}

/** One order, from the client's first POST to the moment the order service settled it. */
export interface SettledOrder {
  customerId: string;
  kind: OrderKind | undefined;
  /** When the client sent its first POST (epoch ms). */
  sentAt: number;
  /** When the order service wrote CONFIRMED or CANCELLED (epoch ms). */
  settledAt: number;
  cancelReason: string | undefined;
}

/** The figures of one fault window, in report.json. Times in seconds since the load started. */
export interface StallFigures {
  kind: FaultKind;
  target: string;
  fromSeconds: number;
  toSeconds: number;
  /** Orders in flight at some moment of the window: sent before it ended, settled after it began. */
  inFlight: number;
  /** The longest POST-to-terminal of those orders, ms, and when that order was sent. */
  longestMs: number;
  longestSentAtSeconds: number | undefined;
  /**
   * The longest time in the window (from its start to the first settlement after its end) during
   * which no order was settled by the saga's events: the saga stood still. Customer cancels and
   * timeouts are settled by the order service alone, so they do not end such a stretch.
   */
  nothingSettledMs: number;
  /**
   * From the end of the window to the first order the saga's events settled after it: how long
   * the saga took to resume. Undefined when it settled none after the window.
   */
  resumedAfterMs: number | undefined;
  /** Of the orders in flight, those the saga's timeout cancelled, and of them the happy-path ones. */
  timedOut: number;
  timedOutHappyPath: number;
  /**
   * POST-to-terminal of the orders settled before the run's first fault: the system undisturbed,
   * on the same machine at the same time, to read the figures above against.
   */
  undisturbed: { orders: number; p50Ms: number | undefined; p99Ms: number | undefined };
}

/** Settled without any event: the customer's cancel, or the saga's timeout sweep. */
const SETTLED_WITHOUT_EVENTS = new Set(['CUSTOMER_REQUEST', 'TIMEOUT']);

export function stallFigures(
  window: FaultWindow & { to: number },
  orders: readonly SettledOrder[],
  { loadStartedAt, firstFaultAt }: { loadStartedAt: number; firstFaultAt: number },
): StallFigures {
  const seconds = (at: number) => Math.round((at - loadStartedAt) / 100) / 10;
  const inFlight = inFlightDuring(window, orders);
  const longest = [...inFlight].sort((a, b) => b.settledAt - b.sentAt - (a.settledAt - a.sentAt))[0];
  const timedOut = inFlight.filter((o) => o.cancelReason === 'TIMEOUT');
  const undisturbed = orders
    .filter((o) => o.settledAt < firstFaultAt)
    .map((o) => o.settledAt - o.sentAt)
    .sort((a, b) => a - b);
  return {
    kind: window.kind,
    target: window.target,
    fromSeconds: seconds(window.from),
    toSeconds: seconds(window.to),
    inFlight: inFlight.length,
    longestMs: longest ? longest.settledAt - longest.sentAt : 0,
    longestSentAtSeconds: longest && seconds(longest.sentAt),
    nothingSettledMs: longestWithoutSettlement(window, orders),
    resumedAfterMs: firstSagaSettlementAfter(window.to, orders),
    timedOut: timedOut.length,
    timedOutHappyPath: timedOut.filter((o) => o.kind === 'happy').length,
    undisturbed: {
      orders: undisturbed.length,
      p50Ms: percentile(undisturbed, 0.5),
      p99Ms: percentile(undisturbed, 0.99),
    },
  };
}

/** When the saga's events settled orders, from `from` on, in order (cancels and timeouts aside). */
function sagaSettlements(from: number, orders: readonly SettledOrder[]): number[] {
  return orders
    .filter((o) => !SETTLED_WITHOUT_EVENTS.has(o.cancelReason ?? '') && o.settledAt >= from)
    .map((o) => o.settledAt)
    .sort((a, b) => a - b);
}

function firstSagaSettlementAfter(at: number, orders: readonly SettledOrder[]): number | undefined {
  const first = sagaSettlements(at, orders).find((settledAt) => settledAt > at);
  return first === undefined ? undefined : first - at;
}

function longestWithoutSettlement(window: { from: number; to: number }, orders: readonly SettledOrder[]) {
  const settlements = sagaSettlements(window.from, orders);
  const firstAfter = settlements.find((at) => at > window.to);
  const points = [window.from, ...settlements.filter((at) => at <= window.to), firstAfter ?? window.to];
  let longest = 0;
  for (let i = 1; i < points.length; i += 1)
    longest = Math.max(longest, (points[i] ?? 0) - (points[i - 1] ?? 0));
  return longest;
}

/** The orders in flight at some moment of a window: sent before it ended, settled after it began. */
export function inFlightDuring(
  window: { from: number; to: number },
  orders: readonly SettledOrder[],
): SettledOrder[] {
  return orders.filter((o) => o.sentAt <= window.to && o.settledAt >= window.from);
}

/**
 * The client's view of each order joined with the moment the order service settled it. Orders the
 * client never got an id for (it gave up) and orders still PENDING are left out.
 */
export function settledOrders(
  clients: readonly ClientOrder[],
  settlements: readonly { orderId: string; settledAt: Date; cancelReason: string | null }[],
): SettledOrder[] {
  const byId = new Map(settlements.map((s) => [s.orderId, s]));
  return clients.flatMap((client) => {
    const settled = client.orderId === undefined ? undefined : byId.get(client.orderId);
    if (!settled) return [];
    return [
      {
        customerId: client.customerId,
        kind: client.kind,
        sentAt: client.sentAt,
        settledAt: settled.settledAt.getTime(),
        cancelReason: settled.cancelReason ?? undefined,
      },
    ];
  });
}

/**
 * The verdict on a fault that must not make an order time out: it held when orders were in flight
 * during it and none of them ended TIMEOUT.
 */
export function stallCheck(figures: StallFigures, because: string): CheckRow {
  return faultCheck(
    'F-broker',
    `${figures.kind} (${figures.target}): no order in flight times out (${because})`,
    {
      ...(figures.inFlight === 0 && { untested: 'no order was in flight during the fault' }),
      violations:
        figures.timedOut === 0
          ? []
          : [
              `${figures.timedOut} of the ${figures.inFlight} orders in flight ended TIMEOUT; ${describeStall(figures)}`,
            ],
      checked: describeStall(figures),
    },
  );
}

/** Nearest-rank percentile of sorted values; undefined when there are none. */
export function percentile(sorted: readonly number[], share: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];
}

/** One line for the report: `64 orders in flight; longest POST-to-terminal 14.2 s (sent t+95.3s); ...`. */
export function describeStall(figures: StallFigures): string {
  const s = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
  const sent = figures.longestSentAtSeconds === undefined ? '' : ` (sent t+${figures.longestSentAtSeconds}s)`;
  return (
    `${figures.inFlight} order${figures.inFlight === 1 ? '' : 's'} in flight; longest POST-to-terminal ${s(figures.longestMs)}${sent}; ` +
    `nothing settled by the saga for ${s(figures.nothingSettledMs)}; ${figures.timedOut} TIMEOUT ` +
    `(${figures.timedOutHappyPath} happy-path); undisturbed: p50 ${s(figures.undisturbed.p50Ms)}, ` +
    `p99 ${s(figures.undisturbed.p99Ms)} (${figures.undisturbed.orders} orders before the first fault)`
  );
}

/**
 * The verdict on a fault that stops the whole saga by design (see `FaultWindow.wholeSagaStops`): it
 * held when the saga settled an order within the bound after the fault ended.
 */
export function sagaResumedCheck(figures: StallFigures, resumeWithinMs: number): CheckRow {
  const resumed = figures.resumedAfterMs;
  const bound = `${resumeWithinMs / 1000} s`;
  return faultCheck(
    'F-resume',
    `${figures.kind} (${figures.target}): the saga settles orders again within ${bound} of its end`,
    {
      ...(figures.inFlight === 0 && { untested: 'no order was in flight during the fault' }),
      violations:
        resumed !== undefined && resumed <= resumeWithinMs
          ? []
          : [
              resumed === undefined
                ? 'the saga settled no order after the fault'
                : `the saga settled its first order ${(resumed / 1000).toFixed(1)} s after the fault (bound ${bound})`,
            ],
      checked: `the first order settled ${((resumed ?? 0) / 1000).toFixed(1)} s after the fault; ${describeStall(figures)}`,
    },
  );
}
