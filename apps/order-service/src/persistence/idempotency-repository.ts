import type { Prisma } from '../generated/prisma/client';
import type { OrderPrismaTx } from './order-database';

export type IdempotencyClaim =
  { outcome: 'claimed' } | { outcome: 'taken'; requestHash: string; response: Prisma.JsonValue };

/**
 * Claims `key` for this request inside `tx`: the row is inserted first, so of two concurrent
 * requests with one key, the second's insert waits on the primary key until the first commits,
 * then finds the row and reads it (each statement sees what is committed when it starts). If the
 * first rolls back, the second's insert succeeds and it proceeds.
 */
export async function claimIdempotencyKey(
  tx: OrderPrismaTx,
  key: string,
  requestHash: string,
): Promise<IdempotencyClaim> {
  const inserted = await tx.$executeRawUnsafe(
    `INSERT INTO idempotency_keys (key, request_hash, response)
     VALUES ($1, $2, 'null'::jsonb)
     ON CONFLICT (key) DO NOTHING`,
    key,
    requestHash,
  );
  if (inserted > 0) return { outcome: 'claimed' };
  const row = await tx.idempotencyKey.findUniqueOrThrow({ where: { key } });
  return { outcome: 'taken', requestHash: row.requestHash, response: row.response };
}

/**
 * The response a claimed key answers with from now on (same transaction as the order): plain JSON
 * data (interfaces carry no index signature, hence the cast).
 */
export async function storeIdempotentResponse(
  tx: OrderPrismaTx,
  key: string,
  response: object,
): Promise<void> {
  await tx.idempotencyKey.update({ where: { key }, data: { response: response as Prisma.InputJsonObject } });
}
