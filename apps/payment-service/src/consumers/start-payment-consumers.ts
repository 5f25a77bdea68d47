import type { EventBackbone } from '@ecommerce/event-backbone';
import type { ConsumerLogger } from '@ecommerce/messaging';

import type { PaymentGateway } from '../gateway/simulated-payment-gateway';
import type { PaymentDb } from '../persistence/payments.repository';
import { inventoryHandlers } from './inventory.consumer';
import { ordersHandlers } from './orders.consumer';

export interface PaymentConsumersOptions {
  backbone: Pick<EventBackbone, 'consume' | 'codec' | 'topicPrefix'>;
  gateway: PaymentGateway;
  runInTransaction: <T>(work: (tx: PaymentDb) => Promise<T>) => Promise<T>;
  logger: ConsumerLogger;
  /** Consumer group of the orders topic; the inventory group is this + `.inventory`. */
  groupId?: string;
}

/**
 * Two consumer groups, one per topic, not one group over both. StockReserved may be read before
 * its OrderPlaced and is then retried in place until OrderPlaced is applied. In one kafkajs
 * consumer a fetch is not repeated until every batch of the previous one is handled, so a
 * StockReserved waiting in its retries would hold back the very OrderPlaced it waits for (always,
 * with one broker) and end in the dead-letter topic. Separate groups fetch independently.
 * The inventory group retries longer than the default (about 25 s in the worst case) to ride out
 * a slow orders consumer.
 */
export async function startPaymentConsumers(options: PaymentConsumersOptions): Promise<void> {
  const { backbone, logger, runInTransaction } = options;
  const ordersGroup = options.groupId ?? 'payment-service';
  await backbone.consume({
    groupId: ordersGroup,
    topics: ['orders'],
    handlers: ordersHandlers({ events: backbone, logger }),
    runInTransaction,
    logger,
  });
  await backbone.consume({
    groupId: `${ordersGroup}.inventory`,
    topics: ['inventory'],
    handlers: inventoryHandlers({ events: backbone, gateway: options.gateway, logger }),
    runInTransaction,
    logger,
    retry: { maxAttempts: 10, initialDelayMs: 200, maxDelayMs: 5_000 },
  });
}
