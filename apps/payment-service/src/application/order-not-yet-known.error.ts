/**
 * StockReserved arrived for an order whose OrderPlaced this service has not applied yet. The two
 * events travel on different topics (inventory, orders), read by different consumer groups, so their
 * relative order is not guaranteed. The consumer rolls back, waits with backoff and tries again, by
 * which time OrderPlaced has normally been applied. Chosen over parking the event in a table: the
 * retry keeps the inventory partition's order and needs no second trigger.
 *
 * How long to wait: the orders group can be held up by more than the ordinary retry budget (about
 * 10 s). When an instance dies, its partitions stall until the broker notices (kafkajs's 30 s
 * session timeout) and the group rebalances, and the chaos run showed StockReserved dead-lettered in
 * that gap. So the error asks for a window of its own (`retryForMs`, spent before any attempt),
 * long enough for a dead member's partitions to move and a restart. If OrderPlaced still has not
 * come after it, the event ends in the dead-letter topic, where it is visible.
 */
/** Four session timeouts: a dead member noticed, its partitions reassigned, a restart caught up. */
const ORDER_PLACED_WAIT_MS = 120_000;

export class OrderNotYetKnownError extends Error {
  override readonly name = 'OrderNotYetKnownError';
  readonly code = 'ORDER_NOT_YET_KNOWN';
  readonly retriable = true;
  readonly retryForMs = ORDER_PLACED_WAIT_MS;

  constructor(readonly orderId: string) {
    super(`no OrderPlaced applied yet for order ${orderId}; retry once it has been`);
  }
}
