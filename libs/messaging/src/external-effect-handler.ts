import type { SqlExecutor } from '@ecommerce/database';

/** The last step of an ExternalEffectHandler: runs in the consumer's transaction, with the inbox row. */
export type RecordInTransaction<Tx> = (tx: Tx) => Promise<void>;

/**
 * A handler for an event whose effect leaves the database (a mail sent, a card charged). Such an
 * effect must not run inside a database transaction: if the transaction then fails (it expired
 * while the SMTP server was slow, the database restarted) the effect stays done while the event
 * counts as not handled, so every retry repeats it, and a slow dependency holds a transaction
 * and its locks open meanwhile.
 *
 * So the handler has three steps, and the consumer runs them in this order, each in its place:
 * 1. `claim`, in a short transaction the consumer opens and commits, behind the inbox check on the
 *    same transaction: the work gets a stable id (or the handler finds nothing to do). An event
 *    this group applied already is a duplicate there, and its claim is rolled back;
 * 2. `perform`, outside any transaction, with what was claimed: the effect, with the claim's id as
 *    its idempotency key (an SMTP Message-ID, a payment gateway's idempotency key). It returns
 *    step 3;
 * 3. the returned `RecordInTransaction`, inside the consumer's transaction with the inbox row:
 *    it records the result (status, outbox event).
 * The check comes before the effect because the consumer runs it, not by a handler's habit, and it
 * costs no transaction of its own. A failure in any step is retried, counted and dead-lettered like
 * any handler's. A crash or a failure between 2 and 3 leaves the claim without a result, so the
 * next try claims it again and performs the same work with the same id: the effect is repeated at
 * most for that one claimed piece of work, and the claim counts how often (handlers log a warning
 * when it is claimed again).
 */
export interface ExternalEffectHandler<Tx extends SqlExecutor, Event, Claim = unknown> {
  readonly kind: 'external-effect';
  claim(event: Event, tx: Tx): Promise<Claim>;
  perform(claim: Claim, event: Event): Promise<RecordInTransaction<Tx>>;
}

/** Builds an ExternalEffectHandler from its claim and its effect (which returns the record). */
export function externalEffectHandler<Tx extends SqlExecutor, Event, Claim>(steps: {
  claim: (event: Event, tx: Tx) => Promise<Claim>;
  perform: (claim: Claim, event: Event) => Promise<RecordInTransaction<Tx>>;
}): ExternalEffectHandler<Tx, Event, Claim> {
  return { kind: 'external-effect', ...steps };
}

export function isExternalEffectHandler<Tx extends SqlExecutor, Event>(
  handler: ((event: Event, tx: Tx) => Promise<void>) | ExternalEffectHandler<Tx, Event>,
): handler is ExternalEffectHandler<Tx, Event> {
  return typeof handler === 'object' && handler.kind === 'external-effect';
}
