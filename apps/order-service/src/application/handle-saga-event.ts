import type { EventMetadata } from '@ecommerce/contracts';
import { PermanentFailure, reactionMetadata } from '@ecommerce/runtime';

import type { SagaDecision, SagaInput } from '../domain/order-saga';
import type { OrderTx } from '../persistence/order-database';
import { lockOrder } from '../persistence/order-repository';
import { applySagaInput, type SagaDeps } from './saga-transition';

/**
 * Another service's saga event (StockReserved, StockRejected, PaymentAuthorized, PaymentFailed)
 * applied to its order inside the consumer's transaction: the order row is locked, `decide` runs
 * on its state, and what it announces is caused by `event`. An event for an order this service
 * never stored cannot become applicable by retrying (the order and OrderPlaced commit together,
 * before any reaction exists): it is dead-lettered.
 */
export async function handleSagaEvent(
  tx: OrderTx,
  deps: SagaDeps,
  event: Pick<EventMetadata, 'eventId' | 'correlationId'> & { orderId: string },
  input: SagaInput,
): Promise<SagaDecision> {
  const order = await lockOrder(tx, event.orderId);
  if (!order) {
    throw new PermanentFailure(
      'UNKNOWN_ORDER',
      `${input.type} ${event.eventId} is for unknown order ${event.orderId}`,
    );
  }
  return applySagaInput(tx, deps, order, input, reactionMetadata(event));
}
