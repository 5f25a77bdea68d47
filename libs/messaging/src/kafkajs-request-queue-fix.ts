/**
 * kafkajs 2.2.4 (its last release) makes Node 24 print `TimeoutNegativeWarning` in every process
 * (tulios/kafkajs#1751): `RequestQueue.scheduleCheckPendingRequests` computes
 * `throttledUntil - Date.now()`, which is negative when the broker is not throttling the client
 * (`throttledUntil` is -1), and passes it to `setTimeout` even when no request is pending. Node
 * turns the delay into 1 ms and, since 24, warns; the timer then checks an empty queue, which
 * schedules the next one: a 1 ms loop for as long as the connection is idle (tulios/kafkajs#1704).
 *
 * The fix (as proposed upstream in tulios/kafkajs#1768, unmerged): with nothing pending and no
 * throttle to wait out, schedule nothing. A request that cannot go out at once is queued by
 * `push`, which calls this method again with the queue non-empty, so nothing is left unchecked.
 *
 * Applied to kafkajs's own class, the one every connection uses, when this library's Kafka client
 * module loads (kafka-client.ts): kafkajs is imported by this library only (a lint rule enforces
 * it), so every process with a kafkajs client, services and tools alike, has loaded this first. The
 * fix then holds in the bundled services too, whose node_modules come from the registry unpatched
 * (a patch-package patch would need re-applying in every image). The original method is checked
 * first: if a kafkajs upgrade changed it, this throws at start-up rather than replace code it
 * does not know. Remove this module when kafkajs is replaced or fixed.
 */

interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's constant of the same name: the recheck delay while requests wait. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

/** The method as kafkajs 2.2.4 ships it, comments and whitespace removed: what the fix replaces. */
const ORIGINAL_METHOD =
  'scheduleCheckPendingRequests(){letscheduleAt=this.throttledUntil-Date.now()if(!this.throttleCheckTimeoutId){if(this.pending.length>0){scheduleAt=scheduleAt>0?scheduleAt:CHECK_PENDING_REQUESTS_INTERVAL}this.throttleCheckTimeoutId=setTimeout(()=>{this.throttleCheckTimeoutId=nullthis.checkPendingRequests()},scheduleAt)}}';

const FIXED = Symbol.for('ecommerce.kafkajs.scheduleCheckPendingRequests.fixed');

function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.pending.length > 0) {
    scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
  } else if (scheduleAt <= 0) {
    return; // nothing waits and nothing throttles: the next push schedules the check
  }
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, scheduleAt);
}

/** kafkajs's RequestQueue class (internal module, pinned version). */
export function kafkajsRequestQueue(): { prototype: RequestQueueInternals } {
  return require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };
}

/** Replaces kafkajs's method with the fixed one; idempotent. */
export function fixNegativeTimeoutInRequestQueue(): void {
  const prototype = kafkajsRequestQueue().prototype as RequestQueueInternals & { [FIXED]?: true };
  if (prototype[FIXED]) return;
  const original = prototype.scheduleCheckPendingRequests
    .toString()
    .replace(/\/\/.*$/gm, '')
    .replace(/\s+/g, '');
  if (original !== ORIGINAL_METHOD) {
    throw new Error(
      'kafkajs RequestQueue.scheduleCheckPendingRequests is not the 2.2.4 method this workspace fixes ' +
        '(libs/messaging/src/kafkajs-request-queue-fix.ts): check whether the new kafkajs still needs the fix',
    );
  }
  prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  prototype[FIXED] = true;
}
