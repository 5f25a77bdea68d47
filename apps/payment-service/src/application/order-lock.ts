/**
 * The advisory-lock scope under which OrderPlaced and OrderCancelled of one order are applied one
 * after the other (`lockKeyForTransaction`): the cancellation check and the write it guards never
 * interleave, even before the order has a row to lock.
 */
export const ORDER_LOCK_SCOPE = 'payment-service.order';
