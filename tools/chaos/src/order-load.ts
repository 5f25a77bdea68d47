import { randomUUID } from 'node:crypto';

import {
  call,
  waitFor,
  type CallResult,
  type RunningServices,
  type ServiceName,
} from '@ecommerce/system-runner';

/** The kinds of order the load mixes, with their share of it. */
export const ORDER_MIX = {
  happy: 0.5,
  declined: 0.2,
  'out-of-stock': 0.15,
  'customer-cancel': 0.15,
} as const;

export type OrderKind = keyof typeof ORDER_MIX;

/** One order as the client saw it. Its customer id is its own, so the listing finds all its copies. */
export interface ClientOrder {
  kind: OrderKind;
  customerId: string;
  idempotencyKey: string;
  /** POST attempts with the same Idempotency-Key (1: no retry was needed). */
  attempts: number;
  /** `accepted`: a 202 came back; `refused`: a 4xx; `gave-up`: no answer before the deadline. */
  outcome: 'accepted' | 'refused' | 'gave-up';
  orderId?: string;
  /** For customer-cancel orders: 202 (accepted while PENDING) or 409 (already settled). */
  cancelStatus?: number;
  /** Why the last failed attempt failed (an HTTP status and problem detail, or the transport error). */
  lastFailure?: string;
  /** When its first request was sent (epoch ms): TIMEOUTs are laid against the faults by it. */
  sentAt: number;
}

/** More than any sku ever holds: an order for it is always rejected as out of stock. */
export const OUT_OF_STOCK_QUANTITY = 900;
/** One attempt's patience; a request still unanswered is retried with the same key. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** How long a client keeps retrying one request through a fault. */
const GIVE_UP_AFTER_MS = 120_000;
/** Client back-off between retries of one request. */
const RETRY_DELAY_MS = 500;

/**
 * Steady load: a fixed rate of `POST /orders` (happy, declined card, out of stock, cancelled by the
 * customer), each retried with its Idempotency-Key while requests fail (connection refused, timeout,
 * 5xx), as a well-behaved client does during an outage. Requests rotate over the running instances.
 */
export class OrderLoad {
  private readonly orders: ClientOrder[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly system: RunningServices,
    private readonly skus: readonly string[],
  ) {}

  start(ratePerSecond: number): void {
    this.timer = setInterval(() => this.track(this.placeOne(pickKind())), 1_000 / ratePerSecond);
  }

  /** Stops placing orders and resolves with every order once the requests in flight have ended. */
  async stop(): Promise<ClientOrder[]> {
    clearInterval(this.timer);
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    return this.orders;
  }

  /**
   * Waits until the order service's catalog replica knows every sku (an order for an unknown sku is
   * refused with 422), with one out-of-stock order per sku, which become part of the run.
   */
  async warmUp(): Promise<void> {
    for (const sku of this.skus) {
      await waitFor(
        `the order service to know ${sku}`,
        async () => {
          const order = await this.place('out-of-stock', [{ sku, quantity: OUT_OF_STOCK_QUANTITY }]);
          if (order.outcome !== 'accepted') return false;
          this.orders.push(order);
          return true;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    }
  }

  private async place(kind: OrderKind, items = this.itemsFor(kind)): Promise<ClientOrder> {
    const customerId = `chaos-${kind}-${randomUUID()}`;
    const order: ClientOrder = {
      kind,
      customerId,
      idempotencyKey: randomUUID(),
      attempts: 0,
      outcome: 'gave-up',
      sentAt: Date.now(),
    };
    const body = {
      customerId,
      items,
      ...(kind === 'declined' && { paymentMethod: { token: 'tok_decline' } }),
    };
    const response = await this.withRetries(
      'order',
      (url) => {
        order.attempts += 1;
        return call(
          `${url}/orders`,
          'POST',
          body,
          { 'idempotency-key': order.idempotencyKey },
          { timeoutMs: ATTEMPT_TIMEOUT_MS },
        );
      },
      (failure) => (order.lastFailure = failure),
    );
    if (response?.status === 202) {
      order.outcome = 'accepted';
      order.orderId = (response.body as { orderId: string }).orderId;
    } else if (response) order.outcome = 'refused';
    return order;
  }

  private async placeOne(kind: OrderKind): Promise<void> {
    const order = await this.place(kind);
    this.orders.push(order);
    if (kind !== 'customer-cancel' || order.orderId === undefined) return;
    // Cancel while the saga runs (the gateway is slowed down): sometimes before the reservation,
    // sometimes with the authorization in flight, sometimes too late (409).
    await pause(Math.random() * 600);
    const response = await this.withRetries('order', (url) =>
      call(`${url}/orders/${order.orderId}/cancel`, 'POST', undefined, {}, { timeoutMs: ATTEMPT_TIMEOUT_MS }),
    );
    order.cancelStatus = response?.status;
  }

  private itemsFor(kind: OrderKind): { sku: string; quantity: number }[] {
    const lines = 1 + Math.floor(Math.random() * 2);
    const items = pickDistinct(this.skus, lines).map((sku) => ({
      sku,
      quantity: 1 + Math.floor(Math.random() * 3),
    }));
    // All or none: one line that cannot be served rejects the whole order, the others unreserved.
    if (kind === 'out-of-stock' && items[0]) items[0].quantity = OUT_OF_STOCK_QUANTITY;
    return items;
  }

  /** Retries a request on a transport failure or a 5xx until an answer or the deadline. */
  private async withRetries(
    service: ServiceName,
    request: (baseUrl: string) => Promise<CallResult>,
    failed: (failure: string) => void = () => undefined,
  ): Promise<CallResult | undefined> {
    const deadline = Date.now() + GIVE_UP_AFTER_MS;
    while (Date.now() < deadline) {
      try {
        const response = await request(this.system.url(service));
        if (response.status < 500) return response;
        failed(`${response.status} ${(response.body as { detail?: string } | undefined)?.detail ?? ''}`);
      } catch (error) {
        // Refused, reset or timed out: the request may or may not have been applied, which is
        // exactly what the Idempotency-Key is for. Retried below.
        failed(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
      await pause(RETRY_DELAY_MS);
    }
    return undefined;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}

/**
 * Samples every sku's `available` while the run goes on (SPEC 5.2: never negative at any time).
 * A sample that fails (the service is down at that moment) is skipped.
 */
export class StockSampler {
  readonly lowest: Record<string, number> = {};
  samples = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly system: RunningServices,
    private readonly skus: readonly string[],
  ) {}

  start(intervalMs = 500): void {
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    await Promise.all(
      this.skus.map(async (sku) => {
        try {
          const response = await call(
            `${this.system.url('inventory')}/products/${sku}`,
            'GET',
            undefined,
            {},
            { timeoutMs: 2_000 },
          );
          if (response.status !== 200) return;
          const { available } = response.body as { available: number };
          this.lowest[sku] = Math.min(this.lowest[sku] ?? available, available);
          this.samples += 1;
        } catch {
          // The inventory service is down or restarting: no sample this time.
        }
      }),
    );
  }
}

function pickKind(): OrderKind {
  let roll = Math.random();
  for (const [kind, share] of Object.entries(ORDER_MIX) as [OrderKind, number][]) {
    roll -= share;
    if (roll < 0) return kind;
  }
  return 'happy';
}

function pickDistinct<T>(items: readonly T[], count: number): T[] {
  return [...items].sort(() => Math.random() - 0.5).slice(0, count);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
