import type { EventMetadata } from '@ecommerce/contracts';
import { type EventOutbox, writeEvent } from '@ecommerce/runtime';
import type { ServiceMetrics } from '@ecommerce/telemetry';

import { decide, type SagaDecision, type SagaInput } from '../domain/order-saga';
import type { OrderTx } from '../persistence/order-database';
import { saveSagaState, type LockedOrder } from '../persistence/order-repository';

export type SagaMetrics = Pick<ServiceMetrics, 'sagaOutcomes' | 'sagaDuration'>;

export interface SagaDeps {
  events: EventOutbox;
  metrics: SagaMetrics;
}

/**
 * One step of the saga for an order locked by the caller's transaction: `decide` says what
 * happens; the next state, its timeline entry and the announced event (with `metadata`) are
 * written in `tx`. An `ignored` decision writes nothing. A terminal transition is measured; if the
 * transaction then rolls back and the step is redone, it is counted again (a rare over-count,
 * accepted rather than measuring after the commit, which the consumer owns).
 */
export async function applySagaInput(
  tx: OrderTx,
  deps: SagaDeps,
  order: LockedOrder,
  input: SagaInput,
  metadata: EventMetadata,
): Promise<SagaDecision> {
  const decision = decide(order, input);
  if (decision.outcome === 'ignored') return decision;
  await saveSagaState(tx, order.id, decision.next, decision.timeline);
  const { announce } = decision;
  if (announce?.type === 'OrderConfirmed') {
    await writeEvent(tx, deps.events, {
      type: 'OrderConfirmed',
      payload: {
        ...metadata,
        orderId: order.id,
        customerId: order.customerId,
        totalCents: order.totalCents,
        currency: order.currency,
      },
    });
  } else if (announce?.type === 'OrderCancelled') {
    await writeEvent(tx, deps.events, {
      type: 'OrderCancelled',
      payload: { ...metadata, orderId: order.id, customerId: order.customerId, reason: announce.reason },
    });
  }
  if (decision.next.status !== 'PENDING') {
    const outcome = decision.next.status;
    deps.metrics.sagaOutcomes.inc({ outcome, reason: decision.next.cancelReason ?? 'none' });
    deps.metrics.sagaDuration.observe({ outcome }, (Date.now() - order.createdAt.getTime()) / 1000);
  }
  return decision;
}
