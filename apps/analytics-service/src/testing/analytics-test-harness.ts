import { randomUUID } from 'node:crypto';

import type {
  CancelReason,
  EventMetadata,
  OrderCancelled,
  OrderConfirmed,
  OrderLine,
  OrderPlaced,
  TypedEvent,
} from '@ecommerce/contracts';
import { startServiceTestHarness, type ServiceTestHarnessOf } from '@ecommerce/runtime/testing';

import { analyticsService } from '../service';

export type AnalyticsTestHarness = ServiceTestHarnessOf<typeof analyticsService> & {
  /** The projections consuming as in production; a rebuild stops and starts them. */
  projections: { readonly group: string; start(): Promise<void>; stop(): Promise<void> };
};

/**
 * The analytics service for a test file, through the shared harness: its projections not started
 * (a test starts them when its events are in place), retried faster than in production.
 */
export async function startAnalyticsTestHarness(): Promise<AnalyticsTestHarness> {
  const harness = await startServiceTestHarness({
    ...analyticsService,
    consumers: analyticsService.consumers.map((consumer) => ({
      ...consumer,
      retry: { initialDelayMs: 50, maxDelayMs: 200 },
    })),
  });
  const { consumers } = harness;
  return {
    ...harness,
    projections: { group: analyticsService.name, start: consumers.start, stop: consumers.stop },
  };
}

const metadata = (occurredAt: number): EventMetadata => ({
  eventId: randomUUID(),
  occurredAt,
  correlationId: randomUUID(),
  causationId: null,
});

/** Events of one order, as the order service would write them. */
export function orderEvents(orderId: string = randomUUID(), customerId = 'customer-1') {
  return {
    orderId,
    placed(items: OrderLine[], occurredAt: number): TypedEvent<'OrderPlaced'> {
      const totalCents = items.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
      const payload: OrderPlaced = {
        ...metadata(occurredAt),
        orderId,
        customerId,
        items,
        totalCents,
        currency: 'USD',
        paymentToken: null,
      };
      return { type: 'OrderPlaced', payload };
    },
    confirmed(totalCents: number, occurredAt: number): TypedEvent<'OrderConfirmed'> {
      const payload: OrderConfirmed = {
        ...metadata(occurredAt),
        orderId,
        customerId,
        totalCents,
        currency: 'USD',
      };
      return { type: 'OrderConfirmed', payload };
    },
    cancelled(reason: CancelReason, occurredAt: number): TypedEvent<'OrderCancelled'> {
      const payload: OrderCancelled = { ...metadata(occurredAt), orderId, customerId, reason };
      return { type: 'OrderCancelled', payload };
    },
  };
}
