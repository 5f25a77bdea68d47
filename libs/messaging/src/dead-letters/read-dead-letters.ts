import { randomUUID } from 'node:crypto';

import type { Kafka } from 'kafkajs';

import { DEAD_LETTER_HEADERS } from '../dead-letter';

export interface DeadLetter {
  /** Where it sits in the dead-letter topic. */
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  originTopic: string;
  originPartition: number;
  originOffset: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  failedAt: string;
}

/**
 * Reads a dead-letter topic from its start up to the end offsets it had when the read began, so
 * the read terminates. A throwaway consumer group is used and deleted afterwards, so reading
 * never moves anyone's offsets.
 */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
  timeoutMs = 30_000,
): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `dead-letter-reader-${randomUUID()}`;
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    const ends = new Map(
      (await admin.fetchTopicOffsets(topic)).map(({ partition, high, low }) => [partition, { high, low }]),
    );
    const remaining = new Set(
      [...ends].filter(([, { high, low }]) => high !== low).map(([partition]) => partition),
    );
    if (remaining.size === 0) return [];

    const letters: DeadLetter[] = [];
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(
          () => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)),
          timeoutMs,
        );
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              const end = ends.get(partition)?.high ?? '0';
              if (BigInt(message.offset) < BigInt(end)) letters.push(toDeadLetter(partition, message));
              if (BigInt(message.offset) + 1n >= BigInt(end)) remaining.delete(partition);
              if (remaining.size === 0) {
                clearTimeout(deadline);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return letters.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  } finally {
    // A reader group that was never created, or cannot be deleted now, holds no offsets worth
    // keeping and expires on its own (offsets.retention.minutes); it must not fail the read.
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

function toDeadLetter(
  partition: number,
  message: { offset: string; key: Buffer | null; value: Buffer | null; headers?: Record<string, unknown> },
): DeadLetter {
  const headers = Object.fromEntries(
    Object.entries(message.headers ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, String(value)]),
  );
  const header = (name: string) => headers[name] ?? '';
  return {
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers,
    originTopic: header(DEAD_LETTER_HEADERS.originTopic),
    originPartition: Number(header(DEAD_LETTER_HEADERS.originPartition)),
    originOffset: header(DEAD_LETTER_HEADERS.originOffset),
    errorCode: header(DEAD_LETTER_HEADERS.errorCode),
    errorMessage: header(DEAD_LETTER_HEADERS.errorMessage),
    attempts: Number(header(DEAD_LETTER_HEADERS.attempts)),
    failedAt: header(DEAD_LETTER_HEADERS.failedAt),
  };
}
