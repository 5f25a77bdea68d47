import { kafkaHeadersFromContext, runInExtractedContext, SpanKind } from '@ecommerce/telemetry';

import type { PendingOutboxMessage } from './outbox-message';

/**
 * Publishes a batch with one PRODUCER span per row, each a child of the trace context stored with
 * that row (the request or event that wrote it), not of the relay's polling loop. Each span's own
 * context replaces the stored one in the Kafka headers, so consumers continue the same trace. The
 * spans stay open until the broker has acknowledged the batch and end with its outcome.
 */
export async function publishWithTraceSpans(
  messages: readonly PendingOutboxMessage[],
  send: (messages: readonly PendingOutboxMessage[]) => Promise<void>,
): Promise<void> {
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const sent = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const spans: Promise<void>[] = [];
  const traced = await Promise.all(
    messages.map(
      (message) =>
        new Promise<PendingOutboxMessage>((withHeaders, failed) => {
          const span = runInExtractedContext(
            message.headers,
            `${message.topic} publish`,
            {
              kind: SpanKind.PRODUCER,
              attributes: {
                'messaging.system': 'kafka',
                'messaging.destination.name': message.topic,
                'messaging.message.id': message.eventId,
                'messaging.kafka.message.key': message.key,
              },
            },
            async () => {
              withHeaders({ ...message, headers: { ...message.headers, ...kafkaHeadersFromContext() } });
              await sent;
            },
          );
          spans.push(span);
          // Rejects this row's promise if the span failed before its headers were made.
          span.catch(failed);
        }),
    ),
  );
  try {
    await send(traced);
    settle.resolve();
  } catch (error) {
    settle.reject(error);
    throw error;
  } finally {
    // Each span has recorded the outcome; its rejection is the batch's error, already thrown above.
    await Promise.allSettled(spans);
  }
}
