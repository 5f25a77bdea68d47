import { executePipelined } from '@ecommerce/database';

import type { OrderTx } from './order-database';

export type IdempotencyClaim =
  { outcome: 'claimed' } | { outcome: 'taken'; requestHash: string; response: unknown };

/**
 * Claims `key` for this request inside `tx`: the row is inserted first, so of two concurrent
 * requests with one key, the second's insert waits on the primary key until the first commits,
 * then finds the row and reads it (each statement sees what is committed when it starts). If the
 * first rolls back, the second's insert succeeds and it proceeds.
 */
export async function claimIdempotencyKey(
  tx: OrderTx,
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
  const [row] = await tx.$queryRawUnsafe<{ request_hash: string; response: unknown }[]>(
    'SELECT request_hash, response FROM idempotency_keys WHERE key = $1',
    key,
  );
  if (!row) throw new Error(`idempotency key ${key} was taken, yet it has no row`);
  return { outcome: 'taken', requestHash: row.request_hash, response: row.response };
}

/**
 * The response a claimed key answers with from now on, in the transaction of the order (pipelined:
 * nothing reads its result, and the COMMIT follows it on the wire).
 */
export async function storeIdempotentResponse(tx: OrderTx, key: string, response: object): Promise<void> {
  await executePipelined(
    tx,
    'UPDATE idempotency_keys SET response = $2::jsonb WHERE key = $1',
    key,
    JSON.stringify(response),
  );
}
