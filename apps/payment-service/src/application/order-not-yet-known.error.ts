/**
 * StockReserved arrived for an order whose OrderPlaced this service has not applied yet. The two
 * events travel on different topics (inventory, orders), read by different consumers, so their
 * relative order is not guaranteed. The error is retriable: the consumer rolls back, waits with
 * backoff and tries again, by which time OrderPlaced has normally been applied. Chosen over parking
 * the event in a table: the retry keeps the inventory partition's order and needs no second
 * trigger; if OrderPlaced never comes, the event ends in the dead-letter topic, where it is visible.
 */
export class OrderNotYetKnownError extends Error {
  override readonly name = 'OrderNotYetKnownError';
  readonly code = 'ORDER_NOT_YET_KNOWN';
  readonly retriable = true;

  constructor(readonly orderId: string) {
    super(`no OrderPlaced applied yet for order ${orderId}; retry once it has been`);
  }
}
