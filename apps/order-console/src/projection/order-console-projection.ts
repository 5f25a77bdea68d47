import type { EventPayloads, EventType, OutboxStatusReported } from '@ecommerce/contracts';
import type { FedEvent } from '@ecommerce/messaging';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

/** One event of one order, as the console shows it on the order's timeline. */
export interface TimelineEntry {
  eventId: string;
  type: string;
  /** Where Kafka holds it: with the groups' offsets, this says which groups have handled it. */
  topic: string;
  partition: number;
  offset: number;
  /** When the service decided it (the event's `occurredAt`). */
  occurredAt: number;
  /** When its relay sent it to Kafka (the record timestamp). */
  publishedAt: number;
  /** From the `traceparent` header: the trace of the order across every service. */
  traceId: string | null;
  causationId: string | null;
  /** One line saying what the event carried (reason, amount, lines...). */
  detail: string;
}

export interface OrderView {
  orderId: string;
  /** Unknown until its OrderPlaced is seen (events of one order sit on several topics). */
  customerId: string | null;
  status: OrderStatus | null;
  cancelReason: string | null;
  totalCents: number | null;
  currency: string | null;
  placedAt: number | null;
  /** Time of the latest event of the order. */
  updatedAt: number;
  timeline: TimelineEntry[];
}

export interface ProductView {
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
  onHand: number | null;
  available: number | null;
}

export interface OutboxStatusView {
  service: string;
  instanceId: string;
  pendingEvents: number;
  oldestPendingAgeMs: number;
  quarantinedEvents: number | null;
  reportIntervalMs: number;
  reportedAt: number;
}

/** What changed with one event: the order it belongs to, or one of the console's other views. */
export type ProjectionChange =
  { view: 'order'; orderId: string } | { view: 'catalog' } | { view: 'outboxes' };

/** An order before any of its events: what is known of it is its id. */
export function unseenOrder(orderId: string): OrderView {
  return {
    orderId,
    customerId: null,
    status: null,
    cancelReason: null,
    totalCents: null,
    currency: null,
    placedAt: null,
    updatedAt: 0,
    timeline: [],
  };
}

/** The topics whose events are keyed by order id: every service's part of an order's story. */
const ORDER_TOPICS = ['orders', 'inventory', 'payments', 'notifications'] as const;

function traceIdOf(headers: Record<string, string>): string | null {
  // W3C trace context: version-traceid-spanid-flags.
  const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(headers['traceparent'] ?? '');
  return match?.[1] ?? null;
}

function money(cents: number, currency: string): string {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}

const lines = (items: readonly { sku: string; quantity: number }[]) =>
  items.map((item) => `${item.quantity} × ${item.sku}`).join(', ');

/** One line per event type, from the payload: what an operator wants to read on the timeline. */
const describe: { [Type in EventType]?: (payload: EventPayloads[Type]) => string } = {
  OrderPlaced: (p) => `${lines(p.items)}; total ${money(p.totalCents, p.currency)}`,
  OrderConfirmed: (p) => `total ${money(p.totalCents, p.currency)}`,
  OrderCancelled: (p) => `reason ${p.reason}`,
  StockReserved: (p) => lines(p.items),
  StockRejected: (p) =>
    p.unavailable.map((s) => `${s.sku}: ${s.requested} requested, ${s.available} available`).join('; '),
  StockReleased: (p) => lines(p.items),
  StockCommitted: (p) => lines(p.items),
  PaymentAuthorized: (p) => `${money(p.amountCents, p.currency)} (payment ${p.paymentId.slice(0, 8)})`,
  PaymentFailed: (p) => `${money(p.amountCents, p.currency)} refused: ${p.reason}`,
  PaymentRefunded: (p) => `${money(p.amountCents, p.currency)} (payment ${p.paymentId.slice(0, 8)})`,
  NotificationSent: (p) => `${p.template} by ${p.channel} (${p.status})`,
};

/**
 * The order console's read model, built only from events (SPEC 9): the recent orders with their
 * status and every service's events on one timeline, the catalog (for the demo order form) and the
 * latest outbox sample of each service. It lives in memory and is rebuilt from the topics at each
 * start (see `EventFeed`): applying an event twice changes nothing (events are kept by eventId), and
 * events of one order may come in any order across topics (a StockReserved before its OrderPlaced
 * when the inventory partition is read first): the timeline is sorted by time, and the status comes
 * only from the order topic's events, whichever arrives first.
 *
 * Bounded: the `maxOrders` most recently placed orders are kept; an older one is forgotten whole.
 */
export class OrderConsoleProjection {
  private readonly orders = new Map<string, OrderView>();
  private readonly products = new Map<string, ProductView>();
  private readonly outboxes = new Map<string, OutboxStatusView>();

  constructor(
    private readonly options: {
      topicPrefix: string;
      maxOrders: number;
    },
  ) {}

  /** Applies one event; returns what changed, or undefined when nothing did. */
  apply(event: FedEvent): ProjectionChange | undefined {
    const topic = event.topic.startsWith(this.options.topicPrefix)
      ? event.topic.slice(this.options.topicPrefix.length)
      : event.topic;
    if (event.type === 'OutboxStatusReported')
      return this.applyOutboxStatus(event.payload as OutboxStatusReported);
    if (event.type === 'ProductUpserted' || event.type === 'StockAdjusted') return this.applyCatalog(event);
    if (!(ORDER_TOPICS as readonly string[]).includes(topic)) return undefined;
    return this.applyOrderEvent(event);
  }

  recentOrders(limit: number): OrderView[] {
    return [...this.orders.values()].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, limit);
  }

  order(orderId: string): OrderView | undefined {
    return this.orders.get(orderId);
  }

  catalog(): ProductView[] {
    return [...this.products.values()].sort((a, b) => a.sku.localeCompare(b.sku));
  }

  outboxStatuses(): OutboxStatusView[] {
    return [...this.outboxes.values()].sort((a, b) => a.service.localeCompare(b.service));
  }

  private applyOrderEvent(event: FedEvent): ProjectionChange | undefined {
    const payload = event.payload as {
      orderId?: unknown;
      eventId: string;
      occurredAt: number;
      causationId: string | null;
    };
    if (typeof payload.orderId !== 'string') return undefined;
    const order = this.orders.get(payload.orderId) ?? this.newOrder(payload.orderId);
    if (order.timeline.some((entry) => entry.eventId === payload.eventId)) return undefined; // a redelivery
    const describeEvent = describe[event.type as EventType] as ((p: unknown) => string) | undefined;
    order.timeline.push({
      eventId: payload.eventId,
      type: event.type,
      topic: event.topic,
      partition: event.partition,
      offset: Number(event.offset),
      occurredAt: payload.occurredAt,
      publishedAt: event.publishedAt,
      traceId: traceIdOf(event.headers),
      causationId: payload.causationId,
      detail: describeEvent?.(event.payload) ?? '',
    });
    order.timeline.sort((a, b) => a.occurredAt - b.occurredAt || a.publishedAt - b.publishedAt);
    order.updatedAt = Math.max(order.updatedAt, payload.occurredAt);
    this.applyStatus(order, event);
    return { view: 'order', orderId: order.orderId };
  }

  /** Status from the order service's own events; a terminal status is never left. */
  private applyStatus(order: OrderView, event: FedEvent): void {
    if (event.type === 'OrderPlaced') {
      const placed = event.payload as EventPayloads['OrderPlaced'];
      order.customerId = placed.customerId;
      order.totalCents = placed.totalCents;
      order.currency = placed.currency;
      order.placedAt = placed.occurredAt;
      order.status ??= 'PENDING';
    } else if (event.type === 'OrderConfirmed' && order.status !== 'CANCELLED') {
      order.status = 'CONFIRMED';
    } else if (event.type === 'OrderCancelled' && order.status !== 'CONFIRMED') {
      order.status = 'CANCELLED';
      order.cancelReason = (event.payload as EventPayloads['OrderCancelled']).reason;
    }
  }

  private newOrder(orderId: string): OrderView {
    const order = unseenOrder(orderId);
    this.orders.set(orderId, order);
    // Map order is insertion order: the first key is the order seen longest ago.
    while (this.orders.size > this.options.maxOrders) {
      const oldest = this.orders.keys().next().value as string;
      this.orders.delete(oldest);
    }
    return order;
  }

  private applyCatalog(event: FedEvent): ProjectionChange {
    if (event.type === 'ProductUpserted') {
      const product = event.payload as EventPayloads['ProductUpserted'];
      const known = this.products.get(product.sku);
      this.products.set(product.sku, {
        sku: product.sku,
        name: product.name,
        priceCents: product.priceCents,
        currency: product.currency,
        onHand: known?.onHand ?? null,
        available: known?.available ?? null,
      });
    } else {
      const adjusted = event.payload as EventPayloads['StockAdjusted'];
      const known = this.products.get(adjusted.sku);
      if (known) {
        known.onHand = adjusted.onHand;
        known.available = adjusted.onHand - adjusted.reserved;
      }
    }
    return { view: 'catalog' };
  }

  private applyOutboxStatus(report: OutboxStatusReported): ProjectionChange | undefined {
    const known = this.outboxes.get(report.service);
    if (known && known.reportedAt >= report.occurredAt) return undefined; // an older sample
    this.outboxes.set(report.service, {
      service: report.service,
      instanceId: report.instanceId,
      pendingEvents: report.pendingEvents,
      oldestPendingAgeMs: report.oldestPendingAgeMs,
      quarantinedEvents: report.quarantinedEvents,
      reportIntervalMs: report.reportIntervalMs,
      reportedAt: report.occurredAt,
    });
    return { view: 'outboxes' };
  }
}
