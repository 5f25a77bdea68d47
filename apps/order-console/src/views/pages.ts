import type { ClusterView, HandlingState } from '../projection/cluster-monitor';
import type {
  OrderView,
  OutboxStatusView,
  ProductView,
  TimelineEntry,
} from '../projection/order-console-projection';
import { html, type Html } from './html';

/** What the pages need to know beyond the read model. */
export interface PageContext {
  topicPrefix: string;
  /** Jaeger's UI; with it, trace ids link to their trace. */
  jaegerUrl: string | undefined;
  /** For each timeline entry: which consumer groups have handled it. */
  handlingOf(entry: TimelineEntry): { group: string; state: HandlingState }[];
  now(): number;
}

const time = (ms: number | null) => (ms === null ? '–' : new Date(ms).toISOString().slice(11, 23));
const dateTime = (ms: number | null) =>
  ms === null ? '–' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const money = (cents: number | null, currency: string | null) =>
  cents === null ? '–' : `${(cents / 100).toFixed(2)} ${currency ?? ''}`;

export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** The service whose outbox publishes to a topic (SPEC 3). */
const PUBLISHER_OF_TOPIC: Record<string, string> = {
  orders: 'order-service',
  inventory: 'inventory-service',
  payments: 'payment-service',
  notifications: 'notification-service',
};

const STATE_LABEL: Record<HandlingState, string> = {
  handled: '✓ handled',
  pending: '… pending',
  'dead-lettered': '✗ dead-lettered',
};

function statusBadge(status: string | null, reason: string | null): Html {
  const label = status ?? 'UNKNOWN';
  return html`<span class="status status-${label.toLowerCase()}">${label}</span
    >${reason ? html` <span class="reason">${reason}</span>` : ''}`;
}

export function layout(title: string, liveUrl: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="stylesheet" href="/console.css" />
        <script src="/console.js" defer></script>
      </head>
      <body data-live="${liveUrl}">
        <header>
          <p class="brand"><a href="/">Order console</a></p>
          <nav aria-label="Console">
            <a href="/">Orders and system</a> · <a href="/asyncapi">Events (AsyncAPI)</a> ·
            <a href="/docs">HTTP API</a>
          </nav>
          <p id="live-status" role="status" aria-live="polite">
            Live updates need JavaScript; reload to refresh.
          </p>
        </header>
        <main>${body}</main>
      </body>
    </html>`;
}

export function ordersSection(orders: OrderView[]): Html {
  return html`<section id="orders" aria-labelledby="orders-title">
    <h2 id="orders-title">Recent orders</h2>
    ${
      orders.length === 0
        ? html`<p>No orders yet. Place one with the form.</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Customer</th>
                <th scope="col">Status</th>
                <th scope="col">Total</th>
                <th scope="col">Placed (UTC)</th>
                <th scope="col">Last event</th>
                <th scope="col">Events</th>
              </tr>
            </thead>
            <tbody>
              ${orders.map(
                (order) =>
                  html`<tr data-order-id="${order.orderId}">
                    <td><a href="/orders/${order.orderId}">${order.orderId.slice(0, 8)}</a></td>
                    <td>${order.customerId ?? '–'}</td>
                    <td>${statusBadge(order.status, order.cancelReason)}</td>
                    <td class="number">${money(order.totalCents, order.currency)}</td>
                    <td>${dateTime(order.placedAt)}</td>
                    <td>${order.timeline.at(-1)?.type ?? '–'}</td>
                    <td class="number">${order.timeline.length}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`;
}

export function placeOrderForm(
  products: ProductView[],
  message: { text: string; error: boolean } | undefined,
): Html {
  return html`<section id="place-order" aria-labelledby="place-title">
    <h2 id="place-title">Place a demo order</h2>
    ${message ? html`<p class="${message.error ? 'error' : 'notice'}" role="alert">${message.text}</p>` : ''}
    <form method="post" action="/orders">
      <p>
        <label for="customerId">Customer</label>
        <input id="customerId" name="customerId" required maxlength="64" value="ada" />
      </p>
      <p>
        <label for="sku">Product</label> ${
          products.length > 0
            ? html`<select id="sku" name="sku" required>
                ${products.map(
                  (product) =>
                    html`<option value="${product.sku}">
                      ${product.sku}: ${product.name},
                      ${money(product.priceCents, product.currency)}${product.available === null ? '' : `, ${product.available} available`}
                    </option>`,
                )}
              </select>`
            : html`<input id="sku" name="sku" required maxlength="64" placeholder="SKU" />`
        }
      </p>
      <p>
        <label for="quantity">Quantity</label>
        <input id="quantity" name="quantity" type="number" min="1" max="1000" value="1" required />
      </p>
      <p>
        <label for="paymentToken">Card</label>
        <select id="paymentToken" name="paymentToken">
          <option value="tok_ok">tok_ok: authorizes</option>
          <option value="tok_decline">tok_decline: declined</option>
        </select>
      </p>
      <p><button type="submit">Place order</button></p>
    </form>
  </section>`;
}

export function groupsSection(cluster: ClusterView): Html {
  return html`<section id="groups" aria-labelledby="groups-title">
    <h2 id="groups-title">Consumer groups</h2>
    <p class="meta">
      From Kafka: committed offsets against the topics' ends, and the dead-letter topics.
      ${
        cluster.observedAt === null ? 'Not observed yet.' : `Observed at ${time(cluster.observedAt)} UTC.`
      }${cluster.problem ? html` <span class="error">Cannot read the cluster: ${cluster.problem}</span>` : ''}
    </p>
    <table>
      <thead>
        <tr>
          <th scope="col">Group</th>
          <th scope="col">Reads</th>
          <th scope="col">Lag</th>
          <th scope="col">Dead letters</th>
          <th scope="col">Newest dead letters</th>
        </tr>
      </thead>
      <tbody>
        ${cluster.groups.map(
          (group) =>
            html`<tr data-group="${group.name}">
              <th scope="row">${group.name}</th>
              <td>${group.topics.join(', ') || '–'}</td>
              <td class="number">${group.lag}</td>
              <td class="number">${group.deadLetters.count}</td>
              <td>
                ${
                  group.deadLetters.newest.length === 0
                    ? '–'
                    : html`<ul class="letters">
                        ${group.deadLetters.newest.map(
                          (letter) =>
                            html`<li>
                              <code>${letter.errorCode}</code> ${letter.eventType ?? 'undecodable'} from
                              ${letter.originTopic}[${letter.originPartition}]@${letter.originOffset},
                              ${letter.failedAt}: ${letter.errorMessage.slice(0, 160)}
                            </li>`,
                        )}
                      </ul>`
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

export function outboxesSection(outboxes: OutboxStatusView[], now: number): Html {
  return html`<section id="outboxes" aria-labelledby="outboxes-title">
    <h2 id="outboxes-title">Outboxes</h2>
    <p class="meta">
      From the services' <code>OutboxStatusReported</code> events: rows committed and not yet published.
    </p>
    ${
      outboxes.length === 0
        ? html`<p>No outbox report yet.</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Backlog</th>
                <th scope="col">Oldest</th>
                <th scope="col">Quarantined</th>
                <th scope="col">Reported</th>
              </tr>
            </thead>
            <tbody>
              ${outboxes.map((outbox) => {
                const age = Math.max(0, now - outbox.reportedAt);
                const stale = age > 3 * outbox.reportIntervalMs;
                return html`<tr data-service="${outbox.service}">
                  <th scope="row">${outbox.service}</th>
                  <td class="number">${outbox.pendingEvents}</td>
                  <td class="number">
                    ${outbox.pendingEvents === 0 ? '–' : duration(outbox.oldestPendingAgeMs)}
                  </td>
                  <td class="number">
                    ${outbox.quarantinedEvents === null ? html`<span title="this outbox has no quarantine">n/a</span>` : outbox.quarantinedEvents}
                  </td>
                  <td>
                    ${duration(age)}
                    ago${stale ? html` <span class="error">(stale: the service stopped reporting)</span>` : ''}
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>`
    }
  </section>`;
}

export function homePage(
  context: PageContext,
  view: { orders: OrderView[]; products: ProductView[]; cluster: ClusterView; outboxes: OutboxStatusView[] },
  message?: { text: string; error: boolean },
): Html {
  return layout(
    'Order console',
    '/live',
    html`<h1>Order console</h1>
      ${placeOrderForm(view.products, message)} ${ordersSection(view.orders)} ${groupsSection(view.cluster)}
      ${outboxesSection(view.outboxes, context.now())}`,
  );
}

export function orderSummarySection(order: OrderView, message?: { text: string; error: boolean }): Html {
  return html`<section id="order-summary" aria-labelledby="order-title">
    <h1 id="order-title">Order <code>${order.orderId}</code></h1>
    ${message ? html`<p class="${message.error ? 'error' : 'notice'}" role="alert">${message.text}</p>` : ''}
    <dl>
      <dt>Status</dt>
      <dd id="order-status" aria-live="polite">${statusBadge(order.status, order.cancelReason)}</dd>
      <dt>Customer</dt>
      <dd>${order.customerId ?? '–'}</dd>
      <dt>Total</dt>
      <dd>${money(order.totalCents, order.currency)}</dd>
      <dt>Placed</dt>
      <dd>${dateTime(order.placedAt)} UTC</dd>
    </dl>
    ${
      order.status === 'PENDING'
        ? html`<form method="post" action="/orders/${order.orderId}/cancel">
            <button type="submit">Cancel this order</button>
          </form>`
        : ''
    }
  </section>`;
}

export function timelineSection(order: OrderView, context: PageContext): Html {
  const placedAt = order.placedAt ?? order.timeline[0]?.occurredAt ?? 0;
  return html`<section id="timeline" aria-labelledby="timeline-title">
    <h2 id="timeline-title">Timeline: every service's events</h2>
    <table>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Published by</th>
          <th scope="col">Occurred (UTC)</th>
          <th scope="col">Step</th>
          <th scope="col">Since placed</th>
          <th scope="col">Outbox to Kafka</th>
          <th scope="col">Handled by</th>
          <th scope="col">Trace</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        ${order.timeline.map((entry, index) => {
          const previous = order.timeline[index - 1];
          const topic = entry.topic.slice(context.topicPrefix.length);
          const handling = context.handlingOf(entry);
          return html`<tr data-event-type="${entry.type}">
            <th scope="row">${entry.type}</th>
            <td>${PUBLISHER_OF_TOPIC[topic] ?? topic}</td>
            <td>${time(entry.occurredAt)}</td>
            <td class="number">${previous ? `+${duration(entry.occurredAt - previous.occurredAt)}` : '–'}</td>
            <td class="number">${duration(entry.occurredAt - placedAt)}</td>
            <td class="number">${duration(Math.max(0, entry.publishedAt - entry.occurredAt))}</td>
            <td>
              ${
                handling.length === 0
                  ? '–'
                  : html`<ul class="groups">
                      ${handling.map(
                        ({ group, state }) =>
                          html`<li class="state-${state}">${group}: ${STATE_LABEL[state]}</li>`,
                      )}
                    </ul>`
              }
            </td>
            <td>
              ${
                entry.traceId === null
                  ? '–'
                  : context.jaegerUrl
                    ? html`<a href="${context.jaegerUrl}/trace/${entry.traceId}"
                        ><code>${entry.traceId.slice(0, 12)}</code></a
                      >`
                    : html`<code title="${entry.traceId}">${entry.traceId.slice(0, 12)}</code>`
              }
            </td>
            <td>${entry.detail}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </section>`;
}

export function orderPage(
  order: OrderView,
  context: PageContext,
  message?: { text: string; error: boolean },
): Html {
  return layout(
    `Order ${order.orderId.slice(0, 8)}: order console`,
    `/live?order=${order.orderId}`,
    html`${orderSummarySection(order, message)} ${timelineSection(order, context)}`,
  );
}

export function notFoundPage(orderId: string): Html {
  return layout(
    'Order not seen: order console',
    `/live?order=${orderId}`,
    html`<h1>Order <code>${orderId}</code></h1>
      <p id="order-status" aria-live="polite">
        No event of this order seen yet. This page updates when one arrives.
      </p>`,
  );
}
