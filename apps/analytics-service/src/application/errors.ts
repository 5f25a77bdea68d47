/**
 * A settling event reached an order the read model does not hold yet. OrderPlaced precedes it on
 * the order's partition, so this is transient (e.g. the fact's transaction is still committing):
 * the consumer retries it, and dead-letters it only if it never resolves.
 */
export class OrderNotPlacedYet extends Error {
  override readonly name = 'OrderNotPlacedYet';
  readonly code = 'ORDER_NOT_PLACED_YET';
  readonly retriable = true;

  constructor(
    readonly orderId: string,
    eventType: string,
  ) {
    super(`${eventType} for order ${orderId}, which has no OrderPlaced in the read model yet`);
  }
}
