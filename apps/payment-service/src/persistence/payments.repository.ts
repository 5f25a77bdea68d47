import { randomUUID } from 'node:crypto';

import { executePipelined, type SqlExecutor } from '@ecommerce/database';

import type { PaymentStatus } from '../domain/payment-rules';

/**
 * Raw SQL only: the consumers' transactions run on node-postgres (`createSqlTransactions`), the
 * routes on Prisma; both satisfy the shared SqlExecutor.
 */
export type PaymentDb = SqlExecutor;

/** The repository's edge: BigInt columns become numbers here (cents stay far below 2^53). */
export interface OrderPaymentRequest {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  paymentToken: string | null;
  cancelled: boolean;
}

export interface PaymentRecord {
  paymentId: string;
  orderId: string;
  status: PaymentStatus;
  amountCents: number;
  currency: string;
  reason: string | null;
}

interface PaymentRow {
  id: string;
  order_id: string;
  status: PaymentStatus;
  amount_cents: bigint;
  currency: string;
  reason: string | null;
}

function toPayment(row: PaymentRow): PaymentRecord {
  return {
    paymentId: row.id,
    orderId: row.order_id,
    status: row.status,
    amountCents: Number(row.amount_cents),
    currency: row.currency,
    reason: row.reason,
  };
}

// The saga's statements (OrderPlaced, StockReserved) are raw SQL: Prisma's cost is per call, twice
// the CPU of the same rows in raw SQL (BENCHMARKS.md, "Prisma's cost per call"). Times are the
// client's, as Prisma's `@updatedAt` and defaults are.

/** Records an order's payment request once; a second OrderPlaced for the order changes nothing. */
export async function saveOrderPaymentRequest(db: PaymentDb, request: OrderPaymentRequest): Promise<void> {
  const now = new Date();
  await executePipelined(
    db,
    `INSERT INTO order_payment_requests
       (order_id, customer_id, amount_cents, currency, payment_token, cancelled, created_at, updated_at)
     VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $7)
     ON CONFLICT (order_id) DO NOTHING`,
    request.orderId,
    request.customerId,
    BigInt(request.amountCents),
    request.currency,
    request.paymentToken,
    request.cancelled,
    now,
  );
}

/**
 * Reads an order's payment request and locks its row until the transaction ends (FOR UPDATE).
 * Authorization and cancellation of one order run in different consumers, so both take this lock
 * first: whichever commits second sees the other's effect.
 */
export async function lockOrderPaymentRequest(
  db: PaymentDb,
  orderId: string,
): Promise<OrderPaymentRequest | null> {
  const rows = await db.$queryRawUnsafe<
    {
      order_id: string;
      customer_id: string;
      amount_cents: bigint;
      currency: string;
      payment_token: string | null;
      cancelled: boolean;
    }[]
  >(
    `SELECT order_id::text, customer_id, amount_cents, currency, payment_token, cancelled
       FROM order_payment_requests WHERE order_id = $1::uuid FOR UPDATE`,
    orderId,
  );
  const [row] = rows;
  return row
    ? {
        orderId: row.order_id,
        customerId: row.customer_id,
        amountCents: Number(row.amount_cents),
        currency: row.currency,
        paymentToken: row.payment_token,
        cancelled: row.cancelled,
      }
    : null;
}

/**
 * Remembers that the order was cancelled, whether or not its OrderPlaced has been applied here:
 * an OrderPlaced or StockReserved that comes later finds it and charges nothing.
 */
export async function rememberCancellation(db: PaymentDb, orderId: string): Promise<void> {
  await db.$executeRawUnsafe(
    'INSERT INTO cancelled_orders (order_id, cancelled_at) VALUES ($1::uuid, $2) ON CONFLICT (order_id) DO NOTHING',
    orderId,
    new Date(),
  );
}

export async function wasCancelled(db: PaymentDb, orderId: string): Promise<boolean> {
  const [row] = await db.$queryRawUnsafe<{ found: boolean }[]>(
    'SELECT EXISTS (SELECT 1 FROM cancelled_orders WHERE order_id = $1::uuid) AS found',
    orderId,
  );
  return row?.found === true;
}

/** The order's authorization attempt, claimed: its idempotency key and how many times it was claimed. */
export interface PaymentAttempt {
  attemptId: string;
  claims: number;
}

/**
 * Claims the order's one authorization attempt: the first claim creates it with a new id; a later
 * one (the gateway call failed, or its answer was never recorded) keeps that id and counts itself,
 * so the gateway is asked again under the same idempotency key. Call it holding the order's lock.
 */
export async function claimPaymentAttempt(db: PaymentDb, orderId: string): Promise<PaymentAttempt> {
  const [attempt] = await db.$queryRawUnsafe<{ id: string; claims: number }[]>(
    `INSERT INTO payment_attempts (id, order_id, claims, updated_at)
     VALUES ($1::uuid, $2::uuid, 1, now())
     ON CONFLICT (order_id) DO UPDATE SET claims = payment_attempts.claims + 1, updated_at = now()
     RETURNING id::text, claims`,
    randomUUID(),
    orderId,
  );
  if (!attempt) throw new Error(`claiming the payment attempt of order ${orderId} returned no row`);
  return { attemptId: attempt.id, claims: attempt.claims };
}

/** Marks the order cancelled; false when the order is unknown. */
export async function markOrderCancelled(db: PaymentDb, orderId: string): Promise<boolean> {
  const count = await db.$executeRawUnsafe(
    'UPDATE order_payment_requests SET cancelled = true, updated_at = $2 WHERE order_id = $1::uuid',
    orderId,
    new Date(),
  );
  return count > 0;
}

export async function paymentsOfOrder(db: PaymentDb, orderId: string): Promise<PaymentRecord[]> {
  const rows = await db.$queryRawUnsafe<PaymentRow[]>(
    `SELECT id::text, order_id::text, status::text AS status, amount_cents, currency, reason
       FROM payments WHERE order_id = $1::uuid
      ORDER BY created_at, id`,
    orderId,
  );
  return rows.map(toPayment);
}

/**
 * Records the payment; false when a payment with its id is recorded already (the gateway's answer
 * for that attempt was recorded by an earlier delivery), which is left as it is. One statement:
 * the check and the insert together.
 */
export async function recordPayment(db: PaymentDb, payment: PaymentRecord): Promise<boolean> {
  const now = new Date();
  const inserted = await db.$executeRawUnsafe(
    `INSERT INTO payments (id, order_id, status, amount_cents, currency, reason, created_at, updated_at)
     VALUES ($1::uuid, $2::uuid, $3::"PaymentStatus", $4, $5, $6, $7, $7)
     ON CONFLICT (id) DO NOTHING`,
    payment.paymentId,
    payment.orderId,
    payment.status,
    BigInt(payment.amountCents),
    payment.currency,
    payment.reason,
    now,
  );
  return inserted === 1;
}

/** AUTHORIZED -> REFUNDED; false when the payment was not AUTHORIZED (already refunded). */
export async function markPaymentRefunded(db: PaymentDb, paymentId: string): Promise<boolean> {
  const count = await db.$executeRawUnsafe(
    `UPDATE payments SET status = 'REFUNDED', updated_at = $2 WHERE id = $1::uuid AND status = 'AUTHORIZED'`,
    paymentId,
    new Date(),
  );
  return count > 0;
}
