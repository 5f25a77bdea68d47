import { randomUUID } from 'node:crypto';

import type { ServiceName } from '@ecommerce/system-runner';

import { adminCall, eventually, serviceCall, type ChaosRun } from '../chaos-run';
import { doubleMails, mailTemplate } from '../findings';
import { faultCheck, type CheckRow } from '../report';
import {
  addFailureTrigger,
  inboxHas,
  outboxEventId,
  paymentStatuses,
  removeFailureTrigger,
  reservationRows,
} from '../service-databases';

/**
 * The product only this fault's order buys, made with the run's catalog (so the order service knows
 * it by the time of the fault): in stock, so only the injected failure stops its reservation.
 */
export const REPLAY_PRODUCT = { name: 'Replay', priceCents: 990, stock: 5 } as const;

export function replaySku(runId: string): string {
  return `REPLAY-${runId}`;
}
/** How long each step may take: consumers under the other faults (kills, rebalances) are slow. */
const STEP_TIMEOUT_MS = 120_000;

/** Where the handlers of OrderPlaced write in inventory and payment, which the injected failure rejects. */
const FAILING_WRITES = {
  inventory: { table: 'stock_reservations', column: 'sku' },
  payment: { table: 'order_payment_requests', column: 'customer_id' },
} as const;

/** What the admin API tells of a dead letter (the fields the fault reads). */
interface DeadLetterView {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * A dead-lettered OrderPlaced replayed after its order was cancelled (issue 10, defect 4: inventory
 * reserved and payment authorized for a cancelled order, and nothing ever released or refunded it).
 * The situation is made the way it happens: an order of its own (a sku and a customer only it
 * uses) whose OrderPlaced inventory and payment fail to handle (an injected handler failure: a
 * trigger rejects their writes for this order), so both dead-letter it; the failure is then fixed
 * (the triggers dropped), the customer cancels the order, inventory and payment handle the
 * OrderCancelled of an order they do not know, and an operator replays the dead letters through the
 * services' admin API. A replay of a record they had applied would only test the inbox; this one
 * they never applied. Required: nothing reserved, charged or mailed for it (checked at the end of
 * the run, when every effect of the replay has settled). Runs in the background.
 */
export function deadLetterReplayAfterCancel(run: ChaosRun): void {
  const victim: Victim = {
    sku: replaySku(run.id),
    customerId: `chaos-replay-${randomUUID()}`,
    orderId: '',
    placedEventId: '',
    replayed: false,
  };
  run.background(
    run.faults.inject('dead-letter-replay-after-cancel', 'inventory and payment', async () => {
      const triggers = {
        inventory: `chaos_fail_${run.id.toLowerCase()}_inventory`,
        payment: `chaos_fail_${run.id.toLowerCase()}_payment`,
      };
      const rejected = { inventory: victim.sku, payment: victim.customerId };
      try {
        for (const service of ['inventory', 'payment'] as const) {
          await addFailureTrigger(run.databaseUrl(service), {
            name: triggers[service],
            ...FAILING_WRITES[service],
            value: rejected[service],
          });
        }
        victim.orderId = await placeVictimOrder(run, victim);
        run.log(`  dead-letter-replay-after-cancel: order ${victim.orderId} placed`);
        victim.placedEventId = await eventually(
          `the OrderPlaced of ${victim.orderId} in the order service's outbox`,
          () => outboxEventId(run.databaseUrl('order'), 'OrderPlaced', victim.orderId),
          { timeoutMs: STEP_TIMEOUT_MS, intervalMs: 500 },
        );
        for (const service of ['inventory', 'payment'] as const) {
          const letters = await eventually(
            `${service}-service to dead-letter OrderPlaced ${victim.placedEventId}`,
            async () => {
              const { status, body } = await adminCall(
                run,
                service,
                'GET',
                `/admin/dead-letters?eventId=${victim.placedEventId}`,
              );
              return status === 200 && (body as DeadLetterView[]).length > 0 && (body as DeadLetterView[]);
            },
            { timeoutMs: STEP_TIMEOUT_MS, intervalMs: 2_000 },
          );
          for (const { topic, partition, offset } of letters) {
            run.delivery.deadLetters.push({ topic, partition, offset });
          }
          run.log(`  dead-letter-replay-after-cancel: ${service}-service dead-lettered its OrderPlaced`);
        }
      } finally {
        // The handlers are "fixed" before the cancellation, whose handling must not meet the failure.
        for (const service of ['inventory', 'payment'] as const) {
          await removeFailureTrigger(
            run.databaseUrl(service),
            triggers[service],
            FAILING_WRITES[service].table,
          );
        }
      }

      // The saga's timeout may have cancelled it first (409): cancelled all the same.
      const cancel = await serviceCall(run, 'order', 'POST', `/orders/${victim.orderId}/cancel`, {
        idempotent: false,
      });
      const cancelledBy = cancel.status === 202 ? 'its customer' : await cancelReason(run, victim.orderId);
      if (!cancelledBy) {
        throw new Error(
          `the customer's cancel of ${victim.orderId} answered ${cancel.status}: ${JSON.stringify(cancel.body)}`,
        );
      }
      const cancelledEventId = await eventually(
        `the OrderCancelled of ${victim.orderId}`,
        () => outboxEventId(run.databaseUrl('order'), 'OrderCancelled', victim.orderId),
        { timeoutMs: STEP_TIMEOUT_MS, intervalMs: 500 },
      );
      await handledByBoth(run, cancelledEventId, 'OrderCancelled');
      run.log(
        `  dead-letter-replay-after-cancel: cancelled by ${cancelledBy}, handled by inventory and payment`,
      );

      for (const service of ['inventory', 'payment'] as const) {
        const { status, body } = await adminCall(run, service, 'POST', '/admin/dead-letters/replay', {
          eventId: victim.placedEventId,
        });
        if (status !== 200)
          throw new Error(`replay on ${service}-service answered ${status}: ${JSON.stringify(body)}`);
      }
      victim.replayed = true;
      // Its effects, if any, are judged once the run is quiet: a replay waits behind whatever else
      // the partition holds.
      return `order ${victim.orderId}: OrderPlaced dead-lettered by inventory and payment, cancelled by ${cancelledBy}, then replayed to both`;
    }),
  );
  run.finalChecks.push(() => victimUntouched(run, victim));
}

/** Places the order, once the order service's catalog knows the new sku (until then: 422). */
async function placeVictimOrder(run: ChaosRun, victim: { sku: string; customerId: string }): Promise<string> {
  const idempotencyKey = randomUUID();
  return eventually(
    `the order service to accept an order for ${victim.sku}`,
    async () => {
      const { status, body } = await serviceCall(run, 'order', 'POST', '/orders', {
        body: { customerId: victim.customerId, items: [{ sku: victim.sku, quantity: 1 }] },
        headers: { 'idempotency-key': idempotencyKey },
        idempotent: true,
      });
      return status === 202 && (body as { orderId: string }).orderId;
    },
    { timeoutMs: STEP_TIMEOUT_MS, intervalMs: 500 },
  );
}

/** `the saga (TIMEOUT)` and the like when the order is CANCELLED; undefined otherwise. */
async function cancelReason(run: ChaosRun, orderId: string): Promise<string | undefined> {
  const { body } = await serviceCall(run, 'order', 'GET', `/orders/${orderId}`, { idempotent: true });
  const order = body as { status?: string; cancelReason?: string };
  return order.status === 'CANCELLED' ? `the saga (${order.cancelReason})` : undefined;
}

interface Victim {
  sku: string;
  customerId: string;
  orderId: string;
  placedEventId: string;
  /** Set once both replays were accepted: before that, the check has nothing to judge. */
  replayed: boolean;
}

async function handledByBoth(run: ChaosRun, eventId: string, what: string): Promise<void> {
  for (const service of ['inventory', 'payment'] satisfies ServiceName[]) {
    await eventually(
      `${service}-service to handle ${what} (${eventId})`,
      () => inboxHas(run.databaseUrl(service), eventId),
      {
        timeoutMs: STEP_TIMEOUT_MS,
        intervalMs: 500,
      },
    );
  }
}

/** Once quiet: the victim is CANCELLED, nothing is held or charged for it, and it was mailed once per template. */
async function victimUntouched(run: ChaosRun, victim: Victim): Promise<CheckRow> {
  const title = 'dead-letter replay after cancel: nothing reserved, charged or mailed for it';
  if (!victim.orderId || !victim.placedEventId) {
    return faultCheck('F-replay', title, {
      untested: 'the order was never placed',
      violations: [],
      checked: '',
    });
  }
  const { body: order } = await serviceCall(run, 'order', 'GET', `/orders/${victim.orderId}`, {
    idempotent: true,
  });
  const status = (order as { status?: string }).status;
  const held = (await reservationRows(run.databaseUrl('inventory'))).filter(
    (row) => row.orderId === victim.orderId && row.status !== 'RELEASED',
  );
  const charged = (await paymentStatuses(run.databaseUrl('payment'), victim.orderId)).filter(
    (s) => s !== 'FAILED',
  );
  const mails = run.mail.mails.filter((mail) => mail.orderId === victim.orderId);
  const templates = [...new Set(mails.map((mail) => mailTemplate(mail.subject)))].sort();
  const unhandled: string[] = [];
  for (const service of ['inventory', 'payment'] as const) {
    if (!(await inboxHas(run.databaseUrl(service), victim.placedEventId))) unhandled.push(service);
  }
  return faultCheck('F-replay', title, {
    violations: [
      ...(status === 'CANCELLED' ? [] : [`the order is ${status}`]),
      ...unhandled.map((service) => `${service}-service never handled the replayed OrderPlaced`),
      ...held.map((row) => `${row.quantity} ${row.sku} ${row.status}`),
      ...charged.map((s) => `a payment ${s}`),
      ...doubleMails(mails).map((d) => d.what),
      ...(templates.join() === 'order-cancelled,order-received'
        ? []
        : [`mails: ${templates.join(', ') || 'none'}`]),
    ].map((violation) => `order ${victim.orderId}: ${violation}`),
    checked: `order ${victim.orderId} CANCELLED, nothing held or charged, mailed received + cancelled once each`,
  });
}
