import { executePipelined } from '@ecommerce/database';

import type { PricedLine } from '../domain/pricing';
import type { CancelReason, OrderSagaState, OrderStatus } from '../domain/order-saga';
import type { Prisma } from '../generated/prisma/client';
import type { OrderPrismaTx, OrderTx } from './order-database';

/** An order as the API shows it: cents as numbers (far below 2^53), times as ISO strings. */
export interface OrderView {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  cancelReason?: CancelReason;
  items: PricedLine[];
  totalCents: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  timeline: { type: string; at: string }[];
}

const withDetails = {
  lines: { orderBy: { lineNumber: 'asc' } },
  timeline: { orderBy: { id: 'asc' } },
} satisfies Prisma.OrderInclude;

type OrderWithDetails = Prisma.OrderGetPayload<{ include: typeof withDetails }>;

export const toOrderView = (row: OrderWithDetails): OrderView => ({
  orderId: row.id,
  customerId: row.customerId,
  status: row.status,
  ...(row.cancelReason && { cancelReason: row.cancelReason }),
  items: row.lines.map((line) => ({
    sku: line.sku,
    quantity: line.quantity,
    unitPriceCents: Number(line.unitPriceCents),
  })),
  totalCents: Number(row.totalCents),
  currency: row.currency,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  timeline: row.timeline.map((entry) => ({ type: entry.type, at: entry.at.toISOString() })),
});

type Reader = Pick<OrderPrismaTx, 'order'>;

export async function findOrder(db: Reader, orderId: string): Promise<OrderView | null> {
  const row = await db.order.findUnique({ where: { id: orderId }, include: withDetails });
  return row && toOrderView(row);
}

export interface OrderPage {
  items: OrderView[];
  /** Where the next page starts (opaque to clients); null on the last page. */
  nextCursor: string | null;
}

/** The position of an order in the listing: newest first, ties broken by id. */
interface Position {
  createdAt: Date;
  id: string;
}

const encodeCursor = ({ createdAt, id }: Position): string =>
  Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');

/** The position a cursor names, or null if it is not one this service issued. */
export function decodeCursor(cursor: string): Position | null {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const createdAt = new Date(String(at));
    // A four-digit year, as toISOString() wrote it: a time JavaScript can hold but PostgreSQL
    // cannot (before 4713 BC) would fail the query instead.
    if (typeof at !== 'string' || !/^\d{4}-/.test(at) || Number.isNaN(createdAt.getTime())) return null;
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) return null;
    return { createdAt, id };
  } catch {
    return null;
  }
}

/**
 * One page of orders, newest first, keyset-paginated on (createdAt, id): a page is the same
 * whatever is inserted before it, and its cost does not grow with the page number.
 */
export async function listOrders(
  db: Reader,
  filter: { customerId?: string; status?: OrderStatus; limit: number; after?: Position },
): Promise<OrderPage> {
  const { after } = filter;
  const rows = await db.order.findMany({
    where: {
      ...(filter.customerId !== undefined && { customerId: filter.customerId }),
      ...(filter.status !== undefined && { status: filter.status }),
      ...(after && {
        OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
      }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: filter.limit + 1,
    include: withDetails,
  });
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map(toOrderView),
    nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null,
  };
}

export async function insertOrder(
  tx: OrderTx,
  order: {
    id: string;
    customerId: string;
    correlationId: string;
    items: readonly PricedLine[];
    totalCents: number;
    currency: string;
  },
): Promise<void> {
  // Raw SQL: the hottest write of the POST. Through Prisma's model API the same rows cost twice the
  // CPU (a nested create is one plan but re-reads the whole order; separate creates pay Prisma's
  // per-call cost each): BENCHMARKS.md, "Prisma's cost per call". Times are the client's, as
  // Prisma's defaults are, and the order and its first timeline entry share one instant.
  // None of the three is waited for: nothing reads their results, and a failure fails the
  // transaction at its COMMIT at the latest (`executePipelined`).
  const placedAt = new Date();
  await executePipelined(
    tx,
    `INSERT INTO orders (id, customer_id, correlation_id, total_cents, currency, created_at, updated_at)
     VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6, $6)`,
    order.id,
    order.customerId,
    order.correlationId,
    BigInt(order.totalCents),
    order.currency,
    placedAt,
  );
  await executePipelined(
    tx,
    `INSERT INTO order_lines (order_id, line_number, sku, quantity, unit_price_cents)
     SELECT $1::uuid, line.number, line.sku, line.quantity, line.unit_price_cents
       FROM unnest($2::int[], $3::varchar[], $4::int[], $5::bigint[])
         AS line(number, sku, quantity, unit_price_cents)`,
    order.id,
    order.items.map((_, index) => index + 1),
    order.items.map((line) => line.sku),
    order.items.map((line) => line.quantity),
    order.items.map((line) => String(line.unitPriceCents)),
  );
  await executePipelined(
    tx,
    'INSERT INTO order_timeline (order_id, type, at) VALUES ($1::uuid, $2, $3)',
    order.id,
    'OrderPlaced',
    placedAt,
  );
}

/** What the saga needs of an order, read under the row lock. */
export interface LockedOrder extends OrderSagaState {
  id: string;
  customerId: string;
  correlationId: string;
  totalCents: number;
  currency: string;
  createdAt: Date;
}

interface LockedRow {
  id: string;
  customer_id: string;
  correlation_id: string;
  status: OrderStatus;
  cancel_reason: CancelReason | null;
  total_cents: bigint;
  currency: string;
  created_at: Date;
}

const lockedColumns = `id::text AS id, customer_id, correlation_id::text AS correlation_id,
  status::text AS status, cancel_reason::text AS cancel_reason, total_cents, currency, created_at`;

const toLocked = (row: LockedRow): LockedOrder => ({
  id: row.id,
  customerId: row.customer_id,
  correlationId: row.correlation_id,
  status: row.status,
  cancelReason: row.cancel_reason,
  totalCents: Number(row.total_cents),
  currency: row.currency,
  createdAt: row.created_at,
});

/**
 * Locks the rows of `orderIds` (`FOR UPDATE`) in id order until the transaction ends: a batch of
 * saga events locks all its orders first, in the one order every batch follows, and each handler's
 * `lockOrder` then finds its order held already (see `lockSagaBatch`).
 */
export async function lockOrdersInIdOrder(tx: OrderTx, orderIds: readonly string[]): Promise<void> {
  await tx.$queryRawUnsafe(
    'SELECT 1 FROM orders WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
    orderIds,
  );
}

/**
 * Locks the order row (`FOR UPDATE`) until the transaction ends and returns its saga state: every
 * writer of an order's state locks through here, so saga events, a customer's cancel and the
 * timeout sweeper apply one after another.
 */
export async function lockOrder(tx: OrderTx, orderId: string): Promise<LockedOrder | null> {
  const [row] = await tx.$queryRawUnsafe<LockedRow[]>(
    `SELECT ${lockedColumns} FROM orders WHERE id = $1::uuid FOR UPDATE`,
    orderId,
  );
  return row ? toLocked(row) : null;
}

/**
 * Locks up to `limit` orders still PENDING that are older than `timeoutMs` (by the database's
 * clock, which also stamped `created_at`), skipping rows
 * another transaction holds (another instance's sweep, or a saga event being applied): several
 * instances sweep side by side without waiting on, or double-cancelling, each other.
 */
export async function lockExpiredPendingOrders(
  tx: OrderTx,
  timeoutMs: number,
  limit: number,
): Promise<LockedOrder[]> {
  const rows = await tx.$queryRawUnsafe<LockedRow[]>(
    `SELECT ${lockedColumns} FROM orders
      WHERE status = 'PENDING' AND created_at < now() - $1::int * interval '1 millisecond'
      ORDER BY created_at
      LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    timeoutMs,
    limit,
  );
  return rows.map(toLocked);
}

/**
 * How long until the oldest PENDING order this transaction sees outlives `timeoutMs`, in ms on the
 * database's clock (the one `lockExpiredPendingOrders` judges by); negative when it already has
 * (another transaction holds it), null when no order is pending.
 */
export async function msUntilOldestPendingExpires(tx: OrderTx, timeoutMs: number): Promise<number | null> {
  const [row] = await tx.$queryRawUnsafe<{ ms: number | null }[]>(
    `SELECT (EXTRACT(EPOCH FROM min(created_at) - now()) * 1000)::float8 + $1::int AS ms
       FROM orders WHERE status = 'PENDING'`,
    timeoutMs,
  );
  return row?.ms ?? null;
}

/** Stores the order's next saga state and what its timeline records. */
export async function saveSagaState(
  tx: OrderTx,
  orderId: string,
  next: OrderSagaState,
  timelineEntry: string,
): Promise<void> {
  // Raw SQL, as insertOrder, one statement for both rows, pipelined (nothing reads its result): it
  // shares its round trip with what follows. The caller holds the row lock, so the update finds its
  // row and the timeline gets its entry.
  const at = new Date();
  await executePipelined(
    tx,
    `WITH updated AS (
       UPDATE orders SET status = $2::"OrderStatus", cancel_reason = $3::"CancelReason", updated_at = $4
        WHERE id = $1::uuid
       RETURNING id
     )
     INSERT INTO order_timeline (order_id, type, at) SELECT id, $5, $4 FROM updated`,
    orderId,
    next.status,
    next.cancelReason,
    at,
    timelineEntry,
  );
}
