import type { Kafka } from 'kafkajs';

import { isDeadLetterHeader } from '../dead-letter';
import type { DeadLetter } from './read-dead-letters';

export interface DeadLetterFilter {
  eventId?: string;
  originTopic?: string;
  errorCode?: string;
}

export function matchesFilter(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  return (
    (!filter.originTopic || letter.originTopic === filter.originTopic) &&
    (!filter.errorCode || letter.errorCode === filter.errorCode) &&
    (!filter.eventId || letter.headers['event-id'] === filter.eventId)
  );
}

/**
 * Sends dead letters back to their origin topics with their original key, value and headers (the
 * `dlq-*` headers dropped), plus `dlq-replayed-from`. Consumers that applied the event before drop
 * the replay through their inbox, so replaying is safe for every group on the topic.
 */
export async function replayDeadLetters(
  kafka: Kafka,
  dlqTopic: string,
  letters: readonly DeadLetter[],
): Promise<number> {
  if (letters.length === 0) return 0;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const letter of letters) {
      const headers = Object.fromEntries(
        Object.entries(letter.headers).filter(([name]) => !isDeadLetterHeader(name)),
      );
      headers['dlq-replayed-from'] = `${dlqTopic}:${letter.partition}:${letter.offset}`;
      await producer.send({
        topic: letter.originTopic,
        acks: -1,
        messages: [{ key: letter.key, value: letter.value, headers }],
      });
    }
    return letters.length;
  } finally {
    await producer.disconnect();
  }
}
