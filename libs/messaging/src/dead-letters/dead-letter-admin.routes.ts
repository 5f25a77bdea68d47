import { ProblemDetails, unprocessable, type HttpServer } from '@ecommerce/http-server';
import { Type } from '@sinclair/typebox';

import { connectionSettings, type MessagingSettings } from '../connection-settings';
import { createKafka } from '../kafka-client';
import { serviceDeadLetters, type GroupDeadLetter } from './service-dead-letters';

const NullableString = Type.Union([Type.String(), Type.Null()]);

const DeadLetterView = Type.Object({
  consumerGroup: Type.String(),
  topic: Type.String({ description: 'the dead-letter topic, <prefix>dlq.<consumerGroup>' }),
  partition: Type.Integer({ minimum: 0 }),
  offset: Type.String(),
  key: NullableString,
  eventId: NullableString,
  eventType: NullableString,
  originTopic: Type.String(),
  originPartition: Type.Integer(),
  originOffset: Type.String(),
  attempts: Type.Integer({ minimum: 0 }),
  errorCode: Type.String(),
  errorMessage: Type.String(),
  failedAt: Type.String({ description: 'ISO 8601' }),
});

function view(letter: GroupDeadLetter) {
  return {
    consumerGroup: letter.consumerGroup,
    topic: letter.topic,
    partition: letter.partition,
    offset: letter.offset,
    key: letter.key?.toString() ?? null,
    eventId: letter.headers['event-id'] ?? null,
    eventType: letter.headers['event-type'] ?? null,
    originTopic: letter.originTopic,
    originPartition: letter.originPartition,
    originOffset: letter.originOffset,
    attempts: letter.attempts,
    errorCode: letter.errorCode,
    errorMessage: letter.errorMessage,
    failedAt: letter.failedAt,
  };
}

export interface DeadLetterAdminOptions {
  /** Names the Kafka client. */
  serviceName: string;
  settings: MessagingSettings & { TOPIC_PREFIX: string };
  /** The service's consumer groups: their dead-letter topics are the ones these routes read. */
  consumerGroups: readonly [string, ...string[]];
}

/**
 * `GET /admin/dead-letters` and `POST /admin/dead-letters/replay` on a service that consumes
 * events: what failed in its consumer groups, where and why, and the replay of the letters a filter
 * selects to their origin topics (safe: consumers drop what they applied before, by inbox). Under
 * `/admin/`, so the runtime requires the admin token.
 */
export function registerDeadLetterAdminRoutes(
  app: HttpServer,
  { serviceName, settings, consumerGroups }: DeadLetterAdminOptions,
): void {
  const deadLetters = serviceDeadLetters({
    kafka: createKafka(connectionSettings(`${serviceName}-dead-letters`, settings).kafka),
    topicPrefix: settings.TOPIC_PREFIX,
    consumerGroups,
  });
  const filters = {
    consumerGroup: Type.Optional(
      Type.Union(
        consumerGroups.map((group) => Type.Literal(group)),
        { description: "one of this service's consumer groups; all of them when absent" },
      ),
    ),
    eventId: Type.Optional(Type.String({ minLength: 1, description: 'the letter of this event' })),
    originTopic: Type.Optional(
      Type.String({ minLength: 1, description: 'letters that came from this topic' }),
    ),
    errorCode: Type.Optional(
      Type.String({ minLength: 1, description: 'letters that failed with this code' }),
    ),
  };
  const problem = Type.Ref(ProblemDetails);

  app.get(
    '/admin/dead-letters',
    {
      schema: {
        summary:
          "Dead letters of this service's consumer groups, with where they came from and why they failed",
        querystring: Type.Object(filters, { additionalProperties: false }),
        response: { 200: Type.Array(DeadLetterView), 400: problem },
      },
    },
    async (request) => (await deadLetters.find(request.query)).map(view),
  );

  app.post(
    '/admin/dead-letters/replay',
    {
      schema: {
        summary:
          'Sends the selected dead letters back to their origin topics; a filter or all: true is required',
        body: Type.Object(
          {
            ...filters,
            all: Type.Optional(Type.Boolean({ description: 'every letter, when no filter is given' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ replayed: Type.Array(DeadLetterView) }), 400: problem, 422: problem },
      },
    },
    async (request) => {
      const { all, ...selection } = request.body;
      const filtered = selection.eventId ?? selection.originTopic ?? selection.errorCode;
      if (filtered === undefined && all !== true) {
        throw unprocessable({
          code: 'REPLAY_NEEDS_A_FILTER',
          detail: 'Name the letters to replay (eventId, originTopic, errorCode) or send all: true.',
        });
      }
      return { replayed: (await deadLetters.replay(selection)).map(view) };
    },
  );
}
