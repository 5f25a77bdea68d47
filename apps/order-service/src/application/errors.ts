import { notFound, type DomainError } from '@ecommerce/http-server';

export const unknownOrder = (orderId: string): DomainError =>
  notFound({
    code: 'ORDER_NOT_FOUND',
    title: 'Order not found',
    detail: `No order ${orderId}.`,
    extensions: { orderId },
  });
