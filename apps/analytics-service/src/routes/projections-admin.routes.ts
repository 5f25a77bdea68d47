import { ProblemDetails, type HttpServer } from '@ecommerce/http-server';
import { Type } from '@sinclair/typebox';

import type { ProjectionRebuilder } from '../rebuild/rebuild-projections';

const RebuildReport = Type.Object({
  groupId: Type.String({ description: 'the consumer group that replays the topics' }),
  topics: Type.Array(Type.String(), { description: 'the topics replayed from offset zero' }),
  inboxRowsDeleted: Type.Integer({ minimum: 0 }),
});

/**
 * `POST /admin/projections/rebuild`: empties the read models and replays the order events into
 * them (202: the replay goes on after the answer). Under `/admin/`: the runtime requires the token.
 */
export function registerProjectionsAdminRoutes(app: HttpServer, rebuilder: ProjectionRebuilder): void {
  app.post(
    '/admin/projections/rebuild',
    {
      schema: {
        summary:
          'Rebuilds the read models from the orders topic; refused (409) while other instances of the service consume (CONSUMER_GROUP_ACTIVE), or when the topic no longer holds every event (TOPIC_HISTORY_INCOMPLETE)',
        response: { 202: RebuildReport, 409: Type.Ref(ProblemDetails) },
      },
    },
    async (_request, reply) => reply.code(202).send(await rebuilder.rebuild()),
  );
}
