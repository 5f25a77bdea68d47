import type { SqlExecutor } from '@ecommerce/database';

import type { ConsumedEvent } from '../event-consumer';
import type { TestEvent } from './test-messaging';

/** Which member of a consumer group applied which event, from which partition, and when. */
export const createAppliedByMemberTable =
  'CREATE TABLE effects (event_id uuid, partition int, member text, applied_at timestamptz DEFAULT clock_timestamp())';

/** A TestEvent handler that records the event as applied by `member` (see `createAppliedByMemberTable`). */
export function recordAppliedBy(member: string) {
  return async (event: ConsumedEvent<'TestEvent', TestEvent>, tx: SqlExecutor): Promise<void> => {
    await tx.$executeRawUnsafe(
      'INSERT INTO effects (event_id, partition, member) VALUES ($1::uuid, $2, $3)',
      event.payload.eventId,
      event.partition,
      member,
    );
  };
}
