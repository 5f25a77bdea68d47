import type { RunInTransaction, SqlExecutor } from '@ecommerce/database';

/** The second step of an ExternalEffectHandler: runs in the consumer's transaction, with the inbox row. */
export type RecordInTransaction<Tx> = (tx: Tx) => Promise<void>;

/**
 * A handler for an event whose effect leaves the database (a mail sent, a card charged). Such an
 * effect must not run inside a database transaction: if the transaction then fails (it expired
 * while the SMTP server was slow, the database restarted) the effect stays done while the event
 * counts as not handled, so every retry repeats it, and a slow dependency holds a transaction
 * and its locks open meanwhile.
 *
 * So the handler has two steps, and the consumer runs them in this order:
 * 1. the inbox is checked first: an event this group already applied is not performed again;
 * 2. `performOutsideTransaction`, outside any transaction: it claims the work in a short
 *    transaction of its own (`runInTransaction`), which gives the work a stable id, commits,
 *    then performs the effect with that id as its idempotency key (an SMTP Message-ID, a payment
 *    gateway's idempotency key), and returns step 3;
 * 3. the returned `RecordInTransaction`, inside the consumer's transaction with the inbox row:
 *    it records the result (status, outbox event).
 * A failure in any step is retried, counted and dead-lettered like any handler's. A crash or a
 * failure between 2 and 3 leaves the claim without a result, so the next try claims it again and
 * performs the same work with the same id: the effect is repeated at most for that one claimed
 * piece of work, and the claim counts how often (handlers log a warning when it is claimed again).
 */
export interface ExternalEffectHandler<Tx extends SqlExecutor, Event> {
  readonly kind: 'external-effect';
  performOutsideTransaction(
    event: Event,
    runInTransaction: RunInTransaction<Tx>,
  ): Promise<RecordInTransaction<Tx>>;
}

/** Builds an ExternalEffectHandler from its first step (which returns the second). */
export function externalEffectHandler<Tx extends SqlExecutor, Event>(
  performOutsideTransaction: ExternalEffectHandler<Tx, Event>['performOutsideTransaction'],
): ExternalEffectHandler<Tx, Event> {
  return { kind: 'external-effect', performOutsideTransaction };
}

export function isExternalEffectHandler<Tx extends SqlExecutor, Event>(
  handler: ((event: Event, tx: Tx) => Promise<void>) | ExternalEffectHandler<Tx, Event>,
): handler is ExternalEffectHandler<Tx, Event> {
  return typeof handler === 'object' && handler.kind === 'external-effect';
}
