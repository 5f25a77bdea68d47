import type { EventBackbone } from '@ecommerce/event-backbone';
import type { ConsumerLogger } from '@ecommerce/messaging';

import type { SagaMetrics } from '../application/saga-transition';
import type { OrderTx } from '../persistence/order-database';
import { catalogEventHandlers } from './catalog-events.consumer';
import { sagaEventHandlers } from './saga-events.consumer';

export interface OrderConsumersOptions {
  backbone: Pick<EventBackbone, 'consume' | 'codec' | 'topicPrefix'>;
  metrics: SagaMetrics;
  runInTransaction: <T>(work: (tx: OrderTx) => Promise<T>) => Promise<T>;
  logger: ConsumerLogger;
  /** Consumer group of the saga topics; the catalog group is this + `.catalog`. */
  groupId?: string;
}

/**
 * Two consumer groups. The saga group reads inventory and payments together: both only react to
 * an order that already exists (OrderPlaced commits with it), so none of their events waits on
 * another and one group cannot hold itself back. The catalog replica has a group of its own, so
 * prices keep flowing while saga events are being retried, and the replica can be rebuilt (its
 * offsets reset) without replaying the saga.
 */
export async function startOrderConsumers(options: OrderConsumersOptions): Promise<void> {
  const { backbone, logger, runInTransaction, metrics } = options;
  const sagaGroup = options.groupId ?? 'order-service';
  await backbone.consume({
    groupId: sagaGroup,
    topics: ['inventory', 'payments'],
    handlers: sagaEventHandlers({ events: backbone, metrics, logger }),
    runInTransaction,
    logger,
  });
  await backbone.consume({
    groupId: `${sagaGroup}.catalog`,
    topics: ['catalog'],
    handlers: catalogEventHandlers({ logger }),
    runInTransaction,
    logger,
  });
}
