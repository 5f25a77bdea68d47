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

/**
 * Longest value, in UTF-16 code units, of each header that carries text from the error. A dead
 * letter is the original message plus these headers, and must still fit the broker's
 * `message.max.bytes` (1 MB by default) when the original nearly filled it; an error's message can
 * quote a whole payload or SQL statement, and a stack can run to hundreds of frames. What is cut
 * off ends with a marker saying how much was dropped, so a cut value is never mistaken for the
 * whole. Together at most about 6 KB (up to 18 KB of UTF-8 in the worst case).
 */
export const DEAD_LETTER_HEADER_LIMITS = {
  errorCode: 200,
  errorMessage: 2_000,
  errorStack: 4_000,
} as const;

/**
 * `text` cut to at most `limit` code units (a limit well above the marker's 40 or so), the cut
 * marked with how much was dropped. Never splits a surrogate pair: a lone half would not survive
 * the UTF-8 encoding of the header.
 */
export function capHeaderValue(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const marker = (dropped: number) => ` [... ${dropped} more characters]`;
  // Room left by the longest marker this text could need, so the result never exceeds the limit.
  const room = Math.max(0, limit - marker(text.length).length);
  const splitsPair = room > 0 && isHighSurrogate(text.charCodeAt(room - 1));
  const kept = splitsPair ? room - 1 : room;
  return text.slice(0, kept) + marker(text.length - kept);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

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
    [DEAD_LETTER_HEADERS.errorCode]: capHeaderValue(origin.errorCode, DEAD_LETTER_HEADER_LIMITS.errorCode),
    [DEAD_LETTER_HEADERS.errorMessage]: capHeaderValue(error.message, DEAD_LETTER_HEADER_LIMITS.errorMessage),
    [DEAD_LETTER_HEADERS.errorStack]: capHeaderValue(error.stack ?? '', DEAD_LETTER_HEADER_LIMITS.errorStack),
    [DEAD_LETTER_HEADERS.failedAt]: (origin.failedAt ?? new Date()).toISOString(),
  };
}
