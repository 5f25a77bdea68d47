import { randomUUID } from 'node:crypto';

import { topicName, type EventPayloads, type EventType, type TopicKey } from '@ecommerce/contracts';
import { waitFor } from '@ecommerce/test-infra';

import type { EventBackbone } from '../event-backbone';

export interface RecordedEvent<T extends EventType = EventType> {
  type: T;
  key: string | null;
  payload: EventPayloads[T];
}

/** Records, decoded, every event that reaches some of a backbone's topics, for tests to wait on. */
export interface EventRecorder {
  /** Starts recording `topics` from their beginning (call once per file). */
  record(topics: readonly TopicKey[]): Promise<void>;
  /** The first recorded event of `type` whose payload matches, once it has arrived. */
  waitForEvent<T extends EventType>(
    type: T,
    where: (payload: EventPayloads[T]) => boolean,
  ): Promise<RecordedEvent<T>>;
  recorded(): readonly RecordedEvent[];
  stop(): Promise<void>;
}

export function createEventRecorder(
  backbone: Pick<EventBackbone, 'kafka' | 'codec' | 'topicPrefix'>,
  groupPrefix: string,
): EventRecorder {
  const events: RecordedEvent[] = [];
  let consumer: ReturnType<EventBackbone['kafka']['consumer']> | undefined;
  return {
    async record(topics) {
      consumer = backbone.kafka.consumer({ groupId: `${groupPrefix}-${randomUUID()}` });
      await consumer.connect();
      await consumer.subscribe({
        topics: topics.map((topic) => topicName(topic, backbone.topicPrefix)),
        fromBeginning: true,
      });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const { type, payload } = await backbone.codec.decode(message.value as Buffer);
          events.push({ type, key: message.key?.toString() ?? null, payload } as RecordedEvent);
        },
      });
    },
    waitForEvent: (type, where) =>
      waitFor(`${type} on its topic`, () =>
        events.find(
          (event): event is RecordedEvent<typeof type> =>
            event.type === type && where(event.payload as EventPayloads[typeof type]),
        ),
      ),
    recorded: () => events,
    stop: async () => {
      await consumer?.disconnect();
    },
  };
}
