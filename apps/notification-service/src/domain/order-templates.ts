import type { EventPayloads } from '@ecommerce/contracts';

/** The templates of SPEC section 2: one notification per (order, template). */
export type TemplateName = 'order-received' | 'order-confirmed' | 'order-cancelled';

export interface RenderedNotification {
  template: TemplateName;
  orderId: string;
  customerId: string;
  subject: string;
  text: string;
}

const cancelReasons: Record<EventPayloads['OrderCancelled']['reason'], string> = {
  OUT_OF_STOCK: 'some items are out of stock',
  PAYMENT_DECLINED: 'the payment was declined',
  CUSTOMER_REQUEST: 'you asked us to cancel it',
  TIMEOUT: 'it could not be completed in time',
};

function money(cents: number, currency: string): string {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}

export function orderReceived(order: EventPayloads['OrderPlaced']): RenderedNotification {
  const lines = order.items.map((item) => `  ${item.quantity} x ${item.sku}`).join('\n');
  return {
    template: 'order-received',
    orderId: order.orderId,
    customerId: order.customerId,
    subject: `We received your order ${order.orderId}`,
    text: `Thank you! Your order ${order.orderId} for ${money(order.totalCents, order.currency)}:\n${lines}\n`,
  };
}

export function orderConfirmed(order: EventPayloads['OrderConfirmed']): RenderedNotification {
  return {
    template: 'order-confirmed',
    orderId: order.orderId,
    customerId: order.customerId,
    subject: `Your order ${order.orderId} is confirmed`,
    text: `Your order ${order.orderId} is confirmed and paid: ${money(order.totalCents, order.currency)}.\n`,
  };
}

export function orderCancelled(order: EventPayloads['OrderCancelled']): RenderedNotification {
  return {
    template: 'order-cancelled',
    orderId: order.orderId,
    customerId: order.customerId,
    subject: `Your order ${order.orderId} was cancelled`,
    text: `Your order ${order.orderId} was cancelled because ${cancelReasons[order.reason]}. You have not been charged.\n`,
  };
}
