import type { EventBackbone } from '@ecommerce/runtime';
import { conflict } from '@ecommerce/http-server';

import type { AnalyticsDatabase } from '../persistence/analytics-database';
import { rebuildReadModels, type RebuildReport } from './rebuild-read-models';

/** This instance's consumer of the projected topics, which a rebuild stops and starts again. */
export interface ProjectionConsumer {
  /** Its consumer group's name in the system: the service's name in production. */
  readonly group: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ProjectionRebuilder {
  /**
   * Stops this instance's consumer, rebuilds (see `rebuildReadModels`: refused with a 409 while
   * another member of the group runs, nothing deleted) and starts the consumer again, which then
   * replays the topics from offset zero: the read models fill up again after the answer.
   */
  rebuild(): Promise<RebuildReport>;
}

export function projectionRebuilder(deps: {
  db: AnalyticsDatabase;
  backbone: Pick<EventBackbone, 'kafka' | 'topicPrefix'>;
  projections: ProjectionConsumer;
}): ProjectionRebuilder {
  const { db, backbone, projections } = deps;
  // Two rebuilds at once would each start the consumer: this instance would run it twice.
  let rebuilding = false;
  return {
    async rebuild() {
      if (rebuilding) {
        throw conflict({
          code: 'REBUILD_IN_PROGRESS',
          detail: 'This instance is already rebuilding the read models; wait for that rebuild to answer.',
        });
      }
      rebuilding = true;
      try {
        await projections.stop();
        try {
          return await rebuildReadModels({ db, backbone, group: projections.group });
        } finally {
          await projections.start();
        }
      } finally {
        rebuilding = false;
      }
    },
  };
}
