import type { SqlExecutor } from '@ecommerce/database';
import { ProblemDetails, unprocessable, type HttpServer } from '@ecommerce/http-server';
import { Type } from '@sinclair/typebox';

import { outboxQuarantine, QUARANTINE_LIST_LIMIT, type QuarantineSelection } from './outbox-quarantine';

const QuarantinedRowView = Type.Object({
  id: Type.String({
    pattern: '^[0-9]+$',
    description: "the row's id in the outbox: its place in publication order",
  }),
  eventId: Type.String(),
  eventType: Type.String(),
  topic: Type.String(),
  key: Type.String(),
  payloadBytes: Type.Integer({ minimum: 0 }),
  attempts: Type.Integer({ minimum: 0, description: 'times the broker refused it' }),
  lastError: Type.Union([Type.String(), Type.Null()], { description: "the broker's last refusal" }),
  createdAt: Type.String({ description: 'ISO 8601: when its transaction wrote it' }),
  quarantinedAt: Type.String({ description: 'ISO 8601' }),
});

const Selection = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.String({ pattern: '^[0-9]{1,19}$' }), {
        minItems: 1,
        maxItems: QUARANTINE_LIST_LIMIT,
        description: 'ids of quarantined rows (as listed)',
      }),
    ),
    all: Type.Optional(Type.Boolean({ description: 'every quarantined row, when no ids are given' })),
  },
  { additionalProperties: false },
);

function selectionOf(body: { ids?: string[]; all?: boolean }, action: string): QuarantineSelection {
  if (body.ids) return { ids: body.ids };
  if (body.all === true) return { all: true };
  throw unprocessable({
    code: 'QUARANTINE_NEEDS_A_SELECTION',
    detail: `Name the rows to ${action} (ids) or send all: true.`,
  });
}

export interface OutboxQuarantineAdminOptions {
  /** The service's database client (its Prisma client). */
  db: SqlExecutor;
}

/**
 * `GET /admin/outbox/quarantine`, `POST /admin/outbox/quarantine/retry` and
 * `POST /admin/outbox/quarantine/discard` on a service that publishes events: the outbox rows the
 * broker refused on every attempt, released for the relay to publish again once the cause is fixed,
 * or discarded. Under `/admin/`, so the runtime requires the admin token.
 */
export function registerOutboxQuarantineAdminRoutes(
  app: HttpServer,
  { db }: OutboxQuarantineAdminOptions,
): void {
  const quarantine = outboxQuarantine(db);
  const problem = Type.Ref(ProblemDetails);

  app.get(
    '/admin/outbox/quarantine',
    {
      schema: {
        summary: `Outbox rows the broker refused on every attempt, in publication order (the first ${QUARANTINE_LIST_LIMIT})`,
        response: { 200: Type.Array(QuarantinedRowView) },
      },
    },
    () => quarantine.list(),
  );

  app.post(
    '/admin/outbox/quarantine/retry',
    {
      schema: {
        summary:
          'Gives the selected quarantined rows fresh attempts; the relay publishes them next. ids or all: true is required',
        body: Selection,
        response: {
          200: Type.Object({ retried: Type.Array(QuarantinedRowView) }),
          400: problem,
          422: problem,
        },
      },
    },
    async (request) => {
      const retried = await quarantine.release(selectionOf(request.body, 'retry'));
      request.log.info({ eventIds: retried.map((row) => row.eventId) }, 'quarantined outbox rows released');
      return { retried };
    },
  );

  app.post(
    '/admin/outbox/quarantine/discard',
    {
      schema: {
        summary:
          'Deletes the selected quarantined rows: their events are never published. ids or all: true is required',
        body: Selection,
        response: {
          200: Type.Object({ discarded: Type.Array(QuarantinedRowView) }),
          400: problem,
          422: problem,
        },
      },
    },
    async (request) => {
      const discarded = await quarantine.discard(selectionOf(request.body, 'discard'));
      // The rows are gone: this line is what remains of them.
      request.log.warn(
        {
          discarded: discarded.map(({ eventId, eventType, topic, key }) => ({
            eventId,
            eventType,
            topic,
            key,
          })),
        },
        'quarantined outbox rows discarded',
      );
      return { discarded };
    },
  );
}
