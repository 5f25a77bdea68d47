import type { EventPayloads } from '@ecommerce/contracts';
import type { ConsumerLogger, EventHandlers, LockBatch } from '@ecommerce/runtime';

import { handleSagaEvent } from '../application/handle-saga-event';
import type { SagaDeps } from '../application/saga-transition';
import type { SagaDecision, SagaInput } from '../domain/order-saga';
import type { OrderTx } from '../persistence/order-database';
import { lockOrdersInIdOrder } from '../persistence/order-repository';

type SagaEventType = 'StockReserved' | 'StockRejected' | 'PaymentAuthorized' | 'PaymentFailed';

/**
 * The order's side of the saga, for the inventory and payments topics. The consumer runs each
 * handler in a transaction with the event's inbox row, so a redelivery has no second effect; an
 * event that no longer applies (the order is already terminal) is logged and acknowledged.
 */
export function sagaEventHandlers(
  deps: SagaDeps & { logger: ConsumerLogger },
): EventHandlers<EventPayloads, OrderTx> {
  const { logger } = deps;
  const handle =
    <T extends SagaEventType>(type: T) =>
    async (event: { type: string; payload: EventPayloads[T] }, tx: OrderTx): Promise<void> => {
      const input = { type } as SagaInput;
      const decision: SagaDecision = await handleSagaEvent(tx, deps, event.payload, input);
      const context = { eventType: type, eventId: event.payload.eventId, orderId: event.payload.orderId };
      if (decision.outcome === 'ignored')
        logger.info({ ...context, reason: decision.reason }, `${type} ignored`);
      else logger.debug({ ...context, status: decision.next.status }, `${type} applied`);
    };
  return {
    StockReserved: handle('StockReserved'),
    StockRejected: handle('StockRejected'),
    PaymentAuthorized: handle('PaymentAuthorized'),
    PaymentFailed: handle('PaymentFailed'),
  };
}

/**
 * What a batch transaction of saga events locks first (`lockBatch`): its orders, in id order. An
 * order's row is locked from two topics, whose batches would otherwise lock the same orders in
 * opposite orders and deadlock.
 */
export const lockSagaBatch: LockBatch<EventPayloads, OrderTx> = (events, tx) =>
  lockOrdersInIdOrder(
    tx,
    events.flatMap(({ payload }) => ('orderId' in payload ? [payload.orderId] : [])),
  );
