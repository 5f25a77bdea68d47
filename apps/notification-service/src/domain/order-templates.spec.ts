import { sampleEvents } from '@ecommerce/contracts/testing';

import { orderCancelled, orderConfirmed, orderReceived } from './order-templates';

describe('order notification templates', () => {
  it('renders the received order with its total and lines', () => {
    const rendered = orderReceived(sampleEvents.OrderPlaced);
    expect(rendered).toMatchObject({ template: 'order-received', orderId: sampleEvents.OrderPlaced.orderId });
    expect(rendered.text).toContain('49.99 EUR');
    expect(rendered.text).toContain('2 x SKU-MUG-01');
  });

  it('renders the confirmation with the amount charged', () => {
    expect(orderConfirmed(sampleEvents.OrderConfirmed).subject).toContain('is confirmed');
  });

  it('renders the cancellation with its reason in words', () => {
    const rendered = orderCancelled({ ...sampleEvents.OrderCancelled, reason: 'PAYMENT_DECLINED' });
    expect(rendered.text).toContain('the payment was declined');
  });
});
