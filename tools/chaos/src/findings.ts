import type { NotificationRecord, PaymentRecord, SystemSnapshot } from '@ecommerce/system-runner';

import type { ClientOrder } from './order-load';
import type { ReceivedMail } from './recording-smtp-server';

/**
 * What a run lost or applied twice, counted from what the services and the mail server hold. Pure
 * functions of what was read, so the counting is unit-tested apart from any run.
 */
export interface Finding {
  /** How many events, orders, mails, reservations or charges. */
  count: number;
  what: string;
}

export function total(findings: readonly Finding[]): number {
  return findings.reduce((sum, finding) => sum + finding.count, 0);
}

type Order = SystemSnapshot['orders'][number];

/** One row of inventory's `stock_reservations`. */
export interface ReservationRow {
  orderId: string;
  sku: string;
  quantity: number;
  status: 'RESERVED' | 'RELEASED' | 'COMMITTED';
}

/**
 * The template of a mail, from its subject (the texts of
 * apps/notification-service/src/domain/order-templates.ts); the subject itself when none matches,
 * so an unknown mail still counts once per subject.
 */
export function mailTemplate(subject: string): string {
  if (/^We received your order /.test(subject)) return 'order-received';
  if (/ is confirmed$/.test(subject)) return 'order-confirmed';
  if (/ was cancelled$/.test(subject)) return 'order-cancelled';
  return `subject "${subject}"`;
}

/**
 * Mails beyond the first of each (order, template). The same Message-ID received twice is one
 * message delivered again (a sender retrying with its idempotency key; a mail client shows it once),
 * so distinct Message-IDs are counted; a mail without one counts on its own.
 */
export function doubleMails(mails: readonly ReceivedMail[]): Finding[] {
  const byOrderAndTemplate = new Map<string, Set<string>>();
  mails.forEach((mail, index) => {
    const key = `order ${mail.orderId ?? '(no X-Order-Id)'}: ${mailTemplate(mail.subject)}`;
    const ids = byOrderAndTemplate.get(key) ?? new Set<string>();
    ids.add(mail.messageId ?? `(no Message-ID) #${index}`);
    byOrderAndTemplate.set(key, ids);
  });
  return [...byOrderAndTemplate]
    .filter(([, ids]) => ids.size > 1)
    .map(([key, ids]) => ({ count: ids.size - 1, what: `${ids.size} mails for ${key}` }));
}

/** Notifications the service reports `sent` whose mail never reached the server. */
export function lostMails(
  notifications: ReadonlyMap<string, readonly NotificationRecord[]>,
  mails: readonly ReceivedMail[],
): Finding[] {
  const received = new Set(mails.map((mail) => `${mail.orderId}/${mailTemplate(mail.subject)}`));
  const lost: Finding[] = [];
  for (const [orderId, records] of notifications) {
    for (const record of records) {
      if (record.status === 'sent' && !received.has(`${orderId}/${record.template}`)) {
        lost.push({
          count: 1,
          what: `mail ${record.template} of order ${orderId} recorded sent, never received`,
        });
      }
    }
  }
  return lost;
}

/**
 * Charges beyond one per order (every authorization the gateway gave, refunded or not), and an
 * authorization a CANCELLED order keeps: its cancellation had refunded or forbidden it.
 */
export function doubleCharges(
  orders: readonly Order[],
  payments: ReadonlyMap<string, readonly PaymentRecord[]>,
): Finding[] {
  const findings: Finding[] = [];
  for (const order of orders) {
    const charges = (payments.get(order.orderId) ?? []).filter((p) => p.status !== 'FAILED');
    if (charges.length > 1) {
      findings.push({
        count: charges.length - 1,
        what: `${charges.length} charges for order ${order.orderId}`,
      });
    }
    const kept = charges.filter((p) => p.status === 'AUTHORIZED').length;
    if (order.status === 'CANCELLED' && kept > 0) {
      findings.push({ count: kept, what: `an authorization kept by CANCELLED order ${order.orderId}` });
    }
  }
  return findings;
}

/**
 * Units held or taken beyond an order's lines, and units still held or taken for a CANCELLED order:
 * its cancellation had released them or forbidden them (an OrderPlaced applied after it).
 */
export function doubleReservations(
  orders: readonly Order[],
  reservations: readonly ReservationRow[],
): Finding[] {
  const byOrder = new Map<string, ReservationRow[]>();
  for (const row of reservations) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);
  const findings: Finding[] = [];
  for (const order of orders) {
    const holding = (byOrder.get(order.orderId) ?? []).filter((row) => row.status !== 'RELEASED');
    if (order.status === 'CANCELLED' && holding.length > 0) {
      findings.push({
        count: holding.length,
        what: `CANCELLED order ${order.orderId} holds ${holding.map((r) => `${r.quantity} ${r.sku} ${r.status}`).join(', ')}`,
      });
      continue;
    }
    for (const row of holding) {
      const ordered = order.items
        .filter((line) => line.sku === row.sku)
        .reduce((n, line) => n + line.quantity, 0);
      if (row.quantity > ordered) {
        findings.push({
          count: 1,
          what: `order ${order.orderId} holds ${row.quantity} ${row.sku}, ordered ${ordered}`,
        });
      }
    }
  }
  return findings;
}

/** Requests the API accepted (202 with an order id) whose order the order service does not have. */
export function lostOrders(clients: readonly ClientOrder[], orders: readonly Order[]): Finding[] {
  const known = new Set(orders.map((order) => order.orderId));
  const missing = clients.filter((client) => client.orderId !== undefined && !known.has(client.orderId));
  return missing.length === 0
    ? []
    : [
        {
          count: missing.length,
          what: `accepted orders missing from the order service (e.g. ${missing[0]?.orderId})`,
        },
      ];
}

/** The orders of a run by outcome; TIMEOUTs of happy-path orders (a customer who did nothing wrong) apart. */
export interface OrdersSummary {
  placed: number;
  confirmed: number;
  cancelled: number;
  pending: number;
  byReason: Record<string, number>;
  timedOut: {
    count: number;
    /**
     * Of them, orders in flight while a fault stopped the whole saga by design (the only broker
     * down): reported, and judged by how soon the saga resumed instead (see `FaultWindow`).
     */
    whileSagaStopped: number;
    /** The others, of all orders placed, 0..1: what the run's TIMEOUT bound (C4) judges. */
    share: number;
    /** Orders of the load's happy kind: a valid card, stock enough, no cancel. */
    happyPath: number;
    /** When each timed-out order was sent, in seconds since `since` (to lay them against the faults). */
    sentAtSeconds: number[];
  };
}

export function summarizeOrders(
  orders: readonly Order[],
  clients: readonly ClientOrder[],
  since: number,
  /** Customers whose order was in flight while the whole saga was stopped by a fault. */
  inFlightWhileSagaStopped: ReadonlySet<string> = new Set(),
): OrdersSummary {
  const kindOf = new Map(clients.map((client) => [client.customerId, client.kind]));
  const sentAt = new Map(clients.map((client) => [client.customerId, client.sentAt]));
  const byReason: Record<string, number> = {};
  for (const order of orders) {
    if (order.status !== 'CANCELLED') continue;
    const reason = order.cancelReason ?? 'UNKNOWN';
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  }
  const timedOut = orders.filter((order) => order.status === 'CANCELLED' && order.cancelReason === 'TIMEOUT');
  const whileSagaStopped = timedOut.filter((order) => inFlightWhileSagaStopped.has(order.customerId)).length;
  return {
    placed: orders.length,
    confirmed: orders.filter((order) => order.status === 'CONFIRMED').length,
    cancelled: orders.filter((order) => order.status === 'CANCELLED').length,
    pending: orders.filter((order) => order.status === 'PENDING').length,
    byReason,
    timedOut: {
      count: timedOut.length,
      whileSagaStopped,
      share: orders.length === 0 ? 0 : (timedOut.length - whileSagaStopped) / orders.length,
      happyPath: timedOut.filter((order) => kindOf.get(order.customerId) === 'happy').length,
      sentAtSeconds: timedOut
        .map((order) => sentAt.get(order.customerId))
        .filter((at): at is number => at !== undefined)
        .map((at) => Math.round((at - since) / 100) / 10)
        .sort((a, b) => a - b),
    },
  };
}
