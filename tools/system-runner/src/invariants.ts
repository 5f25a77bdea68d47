import { call } from './http';
import type { ServiceName } from './system';
import { waitFor } from './wait-for';

/**
 * The invariants of SPEC section 5, read from outside through the services' REST APIs and metrics,
 * as any client could. Each check returns a verdict rather than throwing, so a test can assert on
 * all of them and a chaos run can print them as a table.
 */

/** The outcome of one invariant. */
export interface InvariantResult {
  /** Its number in SPEC section 5. */
  invariant: number;
  title: string;
  held: boolean;
  /** What was checked when it held; the first violations when it did not. */
  detail: string;
}

export interface Verdict {
  held: boolean;
  detail: string;
}

/** What the checks read: a base URL of any running instance per service, and every instance. */
export interface ObservedSystem {
  url(service: ServiceName): string;
  readonly instances: readonly { readonly url: string; readonly running: boolean }[];
}

export interface InvariantExpectations {
  /** Per sku under test: its initial stock plus every accepted adjustment (invariant 2). */
  stockBaseline: Readonly<Record<string, number>>;
  /** Per sku, the lowest `available` the caller saw while the system ran, if it sampled it. */
  lowestAvailable?: Readonly<Record<string, number>>;
  /**
   * Invariant 6. Default: every running instance's /metrics shows no outbox backlog, no consumer lag
   * and no dead letter. A run that restarts processes (whose counters restart at zero) or expects
   * dead letters reads Kafka and the databases instead.
   */
  nothingLost?: () => Promise<Verdict>;
}

export interface OrderRecord {
  orderId: string;
  customerId: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  cancelReason?: string;
  totalCents: number;
  items: { sku: string; quantity: number }[];
}

export interface PaymentRecord {
  status: 'AUTHORIZED' | 'FAILED' | 'REFUNDED';
  amountCents: number;
}

export interface NotificationRecord {
  template: string;
  /** As the service reports it (`sent` over SMTP, `logged` without SMTP, ...). */
  status?: string;
}

export interface StockRecord {
  onHand: number;
  reserved: number;
  available: number;
}

export interface AnalyticsSummary {
  ordersPlaced: number;
  ordersConfirmed: number;
  ordersCancelled: number;
  cancelReasons: Record<string, number>;
  revenueCents: number;
  averageOrderCents: number;
}

/** Everything the invariants are judged on, read once. */
export interface SystemSnapshot {
  orders: OrderRecord[];
  payments: ReadonlyMap<string, PaymentRecord[]>;
  notifications: ReadonlyMap<string, NotificationRecord[]>;
  stock: ReadonlyMap<string, StockRecord>;
  summary: AnalyticsSummary;
}

/** How many requests a snapshot has in flight at once: enough to be quick, few enough to be polite. */
const READ_CONCURRENCY = 8;
/** How many violations a failed verdict names; the count says how many there were in all. */
const SHOWN_VIOLATIONS = 3;

/** Evaluates every invariant once, now. */
export async function checkInvariants(
  system: ObservedSystem,
  expectations: InvariantExpectations,
  /** Judge this snapshot (read with the expectation's skus) instead of reading one. */
  snapshot?: SystemSnapshot,
): Promise<InvariantResult[]> {
  snapshot ??= await readSnapshot(system, Object.keys(expectations.stockBaseline));
  const nothingLost = await (expectations.nothingLost ?? (() => metricsShowNothingPending(system)))();
  return [...judgeSnapshot(snapshot, expectations), { invariant: 6, title: NOTHING_LOST, ...nothingLost }];
}

/**
 * The invariants hold "once quiet": in-flight events may still be settling when a run ends. Checks
 * until every invariant holds or `timeoutMs` passes, and returns the last evaluation either way.
 */
export async function waitForInvariants(
  system: ObservedSystem,
  expectations: InvariantExpectations,
  { timeoutMs = 120_000, intervalMs = 2_000 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<InvariantResult[]> {
  let last: InvariantResult[] = [];
  try {
    await waitFor(
      'the invariants of SPEC section 5 to hold',
      async () => {
        last = await checkInvariants(system, expectations);
        return last.every((result) => result.held);
      },
      { timeoutMs, intervalMs },
    );
  } catch (error) {
    // The deadline passed: the last evaluation says which invariants failed and why. Any other
    // error (a service not answering) has no verdict to report, so it propagates.
    if (last.length === 0) throw error;
  }
  return last;
}

/** Invariants 1 to 5, in SPEC order, each judged from one snapshot. */
const JUDGED: readonly {
  title: string;
  judge: (snapshot: SystemSnapshot, expectations: InvariantExpectations) => Verdict;
}[] = [
  { title: 'every order CONFIRMED or CANCELLED', judge: (s) => everyOrderSettled(s.orders) },
  {
    title: 'stock: reserved 0, onHand = baseline - confirmed, available never < 0',
    judge: stockBalances,
  },
  {
    title: 'one un-refunded authorization = total per CONFIRMED, none per CANCELLED',
    judge: oneAuthorizationPerConfirmedOrder,
  },
  { title: 'exactly one notification per (order, template)', judge: oneNotificationPerTemplate },
  { title: 'analytics summary = truth from the order service', judge: analyticsMatchOrders },
];
const NOTHING_LOST = 'nothing lost: outbox published, every event consumed or dead-lettered';

/** Invariants 1 to 5 from one snapshot: pure, so the judgement is the same wherever it is made. */
export function judgeSnapshot(
  snapshot: SystemSnapshot,
  expectations: InvariantExpectations,
): InvariantResult[] {
  return JUDGED.map(({ title, judge }, index) => ({
    invariant: index + 1,
    title,
    ...judge(snapshot, expectations),
  }));
}

function verdict(checked: string, violations: string[]): Verdict {
  if (violations.length === 0) return { held: true, detail: checked };
  const shown = violations.slice(0, SHOWN_VIOLATIONS).join('; ');
  const more =
    violations.length > SHOWN_VIOLATIONS ? ` (and ${violations.length - SHOWN_VIOLATIONS} more)` : '';
  return { held: false, detail: `${violations.length} violation(s): ${shown}${more}` };
}

function everyOrderSettled(orders: OrderRecord[]): Verdict {
  const pending = orders.filter((order) => order.status === 'PENDING');
  return verdict(
    `${orders.length} orders settled`,
    pending.map((order) => `order ${order.orderId} still PENDING`),
  );
}

function stockBalances(snapshot: SystemSnapshot, expectations: InvariantExpectations): Verdict {
  const confirmed = new Map<string, number>();
  for (const order of snapshot.orders.filter((o) => o.status === 'CONFIRMED')) {
    for (const line of order.items) confirmed.set(line.sku, (confirmed.get(line.sku) ?? 0) + line.quantity);
  }
  const violations: string[] = [];
  for (const [sku, baseline] of Object.entries(expectations.stockBaseline)) {
    const stock = snapshot.stock.get(sku);
    const expectedOnHand = baseline - (confirmed.get(sku) ?? 0);
    if (!stock) violations.push(`${sku}: not found`);
    else if (stock.reserved !== 0 || stock.onHand !== expectedOnHand || stock.available < 0) {
      violations.push(
        `${sku}: onHand ${stock.onHand} (expected ${expectedOnHand}), reserved ${stock.reserved}, available ${stock.available}`,
      );
    }
    const lowest = expectations.lowestAvailable?.[sku];
    if (lowest !== undefined && lowest < 0) violations.push(`${sku}: available was ${lowest} during the run`);
  }
  const sampled = expectations.lowestAvailable ? ', available sampled during the run' : '';
  return verdict(`${Object.keys(expectations.stockBaseline).length} skus balance${sampled}`, violations);
}

function oneAuthorizationPerConfirmedOrder(snapshot: SystemSnapshot): Verdict {
  const violations: string[] = [];
  for (const order of snapshot.orders) {
    const authorized = (snapshot.payments.get(order.orderId) ?? []).filter((p) => p.status === 'AUTHORIZED');
    const expected = order.status === 'CONFIRMED' ? [order.totalCents] : [];
    const amounts = authorized.map((p) => p.amountCents);
    if (JSON.stringify(amounts) !== JSON.stringify(expected)) {
      violations.push(
        `${order.status} order ${order.orderId} (total ${order.totalCents}) has authorizations [${amounts.join(', ')}]`,
      );
    }
  }
  return verdict(`${snapshot.orders.length} orders' payments`, violations);
}

function oneNotificationPerTemplate(snapshot: SystemSnapshot): Verdict {
  const violations: string[] = [];
  for (const order of snapshot.orders) {
    const templates = (snapshot.notifications.get(order.orderId) ?? []).map((n) => n.template).sort();
    const expected =
      order.status === 'CONFIRMED'
        ? ['order-confirmed', 'order-received']
        : order.status === 'CANCELLED'
          ? ['order-cancelled', 'order-received']
          : ['order-received'];
    if (templates.join() !== expected.join()) {
      violations.push(`${order.status} order ${order.orderId} has [${templates.join(', ')}]`);
    }
  }
  return verdict(`${snapshot.orders.length} orders' notifications`, violations);
}

function analyticsMatchOrders({ orders, summary }: SystemSnapshot): Verdict {
  const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
  const cancelReasons: Record<string, number> = {};
  for (const order of orders) {
    if (order.status === 'CANCELLED' && order.cancelReason) {
      cancelReasons[order.cancelReason] = (cancelReasons[order.cancelReason] ?? 0) + 1;
    }
  }
  const revenueCents = confirmed.reduce((sum, order) => sum + order.totalCents, 0);
  const truth: AnalyticsSummary = {
    ordersPlaced: orders.length,
    ordersConfirmed: confirmed.length,
    ordersCancelled: orders.filter((o) => o.status === 'CANCELLED').length,
    cancelReasons,
    revenueCents,
    averageOrderCents: confirmed.length === 0 ? 0 : Math.round(revenueCents / confirmed.length),
  };
  const reported = { ...summary, cancelReasons: withoutZeros(summary.cancelReasons) };
  const violations = (Object.keys(truth) as (keyof AnalyticsSummary)[])
    .filter((key) => JSON.stringify(sortedKeys(reported[key])) !== JSON.stringify(sortedKeys(truth[key])))
    .map((key) => `${key} is ${JSON.stringify(reported[key])}, truth ${JSON.stringify(truth[key])}`);
  return verdict(
    `${truth.ordersPlaced} placed, ${truth.ordersConfirmed} confirmed, revenue ${truth.revenueCents}`,
    violations,
  );
}

function withoutZeros(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

function sortedKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

/** Reads every order (all pages), its payments and notifications, the skus' stock and the summary. */
export async function readSnapshot(system: ObservedSystem, skus: readonly string[]): Promise<SystemSnapshot> {
  const orders = await readAllOrders(system);
  const payments = new Map<string, PaymentRecord[]>();
  const notifications = new Map<string, NotificationRecord[]>();
  await forEachLimited(orders, READ_CONCURRENCY, async ({ orderId }) => {
    payments.set(orderId, await getJson(system, 'payment', `/payments?orderId=${orderId}`));
    notifications.set(orderId, await getJson(system, 'notification', `/notifications?orderId=${orderId}`));
  });
  const stock = new Map<string, StockRecord>();
  await forEachLimited(skus, READ_CONCURRENCY, async (sku) => {
    stock.set(sku, await getJson(system, 'inventory', `/products/${encodeURIComponent(sku)}`));
  });
  const summary = await getJson<AnalyticsSummary>(system, 'analytics', '/analytics/summary');
  return { orders, payments, notifications, stock, summary };
}

async function readAllOrders(system: ObservedSystem): Promise<OrderRecord[]> {
  const orders: OrderRecord[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page: { items: OrderRecord[]; nextCursor: string | null } = await getJson(
      system,
      'order',
      `/orders?limit=100${query}`,
    );
    orders.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return orders;
}

async function getJson<T>(system: ObservedSystem, service: ServiceName, path: string): Promise<T> {
  const response = await call(`${system.url(service)}${path}`, 'GET');
  if (response.status !== 200) {
    throw new Error(
      `GET ${path} on ${service}-service answered ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return response.body as T;
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The values of one Prometheus metric in a /metrics text, over all its label sets. */
function metricValues(text: string, metric: string): number[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
    .map((line) => Number(line.split(' ').at(-1)));
}

/** Invariant 6 as every running instance reports it: nothing waiting in an outbox, no lag, no dead letter. */
async function metricsShowNothingPending(system: ObservedSystem): Promise<Verdict> {
  const running = system.instances.filter((instance) => instance.running);
  const violations: string[] = [];
  for (const instance of running) {
    const text = await (await fetch(`${instance.url}/metrics`)).text();
    for (const metric of [
      'ecommerce_outbox_backlog_events',
      'ecommerce_consumer_lag_messages',
      'ecommerce_dead_letters_total',
    ]) {
      const total = metricValues(text, metric).reduce((sum, value) => sum + value, 0);
      if (total !== 0) violations.push(`${instance.url}: ${metric} ${total}`);
    }
  }
  return verdict(`${running.length} instances' metrics: no backlog, lag or dead letter`, violations);
}
