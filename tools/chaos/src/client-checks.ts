import type { SystemSnapshot } from '@ecommerce/system-runner';

import type { ClientOrder, OrderKind } from './order-load';
import type { CheckRow } from './report';

type Settled = SystemSnapshot['orders'][number];

/** Outcomes each kind of request may end in (TIMEOUT: the saga outlived a fault). */
const ALLOWED_OUTCOMES: Record<OrderKind, readonly string[]> = {
  happy: ['CONFIRMED', 'OUT_OF_STOCK', 'TIMEOUT'],
  declined: ['PAYMENT_DECLINED', 'OUT_OF_STOCK', 'TIMEOUT'],
  'out-of-stock': ['OUT_OF_STOCK', 'TIMEOUT'],
  'customer-cancel': ['CONFIRMED', 'OUT_OF_STOCK', 'CUSTOMER_REQUEST', 'TIMEOUT'],
};

export function outcomeOf(order: Settled): string {
  return order.status === 'CANCELLED' ? (order.cancelReason ?? 'CANCELLED') : order.status;
}

/**
 * What the clients were promised, beyond SPEC section 5: a request retried with its
 * Idempotency-Key made exactly one order (none if it was refused), and every order ended in an
 * outcome its request allows (a declined card is never confirmed, an accepted cancel cancels).
 */
export function clientChecks(clients: readonly ClientOrder[], snapshot: SystemSnapshot): CheckRow[] {
  const byCustomer = new Map<string, Settled[]>();
  for (const order of snapshot.orders) {
    byCustomer.set(order.customerId, [...(byCustomer.get(order.customerId) ?? []), order]);
  }

  const once: string[] = [];
  const outcomes: string[] = [];
  for (const client of clients) {
    const orders = byCustomer.get(client.customerId) ?? [];
    const expected = client.outcome === 'accepted' ? 1 : 0;
    if (client.outcome === 'gave-up') {
      once.push(
        `${client.customerId}: no answer after ${client.attempts} attempts (last: ${client.lastFailure})`,
      );
    } else if (orders.length !== expected || (expected === 1 && orders[0]?.orderId !== client.orderId)) {
      once.push(
        `${client.customerId} (${client.outcome}, ${client.attempts} attempts): ${orders.length} orders`,
      );
    }
    for (const order of orders) {
      const outcome = outcomeOf(order);
      const allowed =
        client.kind === 'customer-cancel' && client.cancelStatus === 202
          ? ['CUSTOMER_REQUEST']
          : ALLOWED_OUTCOMES[client.kind];
      if (order.status !== 'PENDING' && !allowed.includes(outcome)) {
        outcomes.push(`${client.kind} order ${order.orderId} ended ${outcome}`);
      }
    }
  }
  const retried = clients.filter((c) => c.attempts > 1).length;
  return [
    result(
      'C1',
      'one order per Idempotency-Key, retries included',
      once,
      `${clients.length} requests, ${retried} retried`,
    ),
    result('C2', 'each order ended as its request allows', outcomes, `${snapshot.orders.length} outcomes`),
  ];
}

function result(id: string, title: string, violations: string[], checked: string): CheckRow {
  return {
    id,
    title,
    held: violations.length === 0,
    detail:
      violations.length === 0
        ? checked
        : `${violations.length} violation(s): ${violations.slice(0, 3).join('; ')}`,
  };
}
