/**
 * Dead letters: one topic per consumer group, `<prefix>dlq.<group>`, holding the original key,
 * value and headers plus these headers, so an operator sees what failed, where and why, and the
 * replay tool can send it back to where it came from.
 */
export const DEAD_LETTER_HEADERS = {
  originTopic: 'dlq-origin-topic',
  originPartition: 'dlq-origin-partition',
  originOffset: 'dlq-origin-offset',
  consumerGroup: 'dlq-consumer-group',
  attempts: 'dlq-attempts',
  errorCode: 'dlq-error-code',
  errorMessage: 'dlq-error-message',
  errorStack: 'dlq-error-stack',
  failedAt: 'dlq-failed-at',
} as const;

export function deadLetterTopic(topicPrefix: string, consumerGroup: string): string {
  return `${topicPrefix}dlq.${consumerGroup}`;
}

export function isDeadLetterHeader(name: string): boolean {
  return name.startsWith('dlq-');
}

// Kafka headers are bounded by the message size; a stack is useful, a huge one is not.
const MAX_STACK_CHARS = 4_000;

export function deadLetterHeaders(origin: {
  topic: string;
  partition: number;
  offset: string;
  consumerGroup: string;
  attempts: number;
  errorCode: string;
  error: unknown;
  failedAt?: Date;
}): Record<string, string> {
  const error = origin.error instanceof Error ? origin.error : new Error(String(origin.error));
  return {
    [DEAD_LETTER_HEADERS.originTopic]: origin.topic,
    [DEAD_LETTER_HEADERS.originPartition]: String(origin.partition),
    [DEAD_LETTER_HEADERS.originOffset]: origin.offset,
    [DEAD_LETTER_HEADERS.consumerGroup]: origin.consumerGroup,
    [DEAD_LETTER_HEADERS.attempts]: String(origin.attempts),
    [DEAD_LETTER_HEADERS.errorCode]: origin.errorCode,
    [DEAD_LETTER_HEADERS.errorMessage]: error.message,
    [DEAD_LETTER_HEADERS.errorStack]: (error.stack ?? '').slice(0, MAX_STACK_CHARS),
    [DEAD_LETTER_HEADERS.failedAt]: (origin.failedAt ?? new Date()).toISOString(),
  };
}
