import { waitFor } from '@ecommerce/test-infra';
import type { Kafka, Producer } from 'kafkajs';

import { ProducerReconnectPending, ReplaceableProducer } from './replaceable-producer';

/**
 * A simulated kafkajs client: each producer it makes takes the next scripted outcome for its
 * connect and for each of its sends, and records what happened to it; `connectsAt` has the time
 * (`Date.now()`, the clock the backoff is set by) of each connect, which settles as it is called.
 */
function simulatedKafka(script: { connects: (Error | 'ok')[]; sends: (Error | 'ok')[] }) {
  const producers: { sent: number; disconnected: boolean }[] = [];
  const connectsAt: number[] = [];
  const next = (outcomes: (Error | 'ok')[]) => {
    const outcome = outcomes.shift() ?? 'ok';
    return outcome === 'ok' ? Promise.resolve() : Promise.reject(outcome);
  };
  const kafka = {
    producer: () => {
      const state = { sent: 0, disconnected: false };
      producers.push(state);
      const send = async () => {
        if (state.disconnected) throw new Error('send on a disconnected producer');
        state.sent += 1;
        await next(script.sends);
      };
      return {
        connect: () => {
          connectsAt.push(Date.now());
          return next(script.connects);
        },
        sendBatch: send,
        send,
        disconnect: async () => void (state.disconnected = true),
      } as unknown as Producer;
    },
  } as unknown as Kafka;
  return { kafka, producers, connectsAt };
}

const batch = { topicMessages: [{ topic: 't', messages: [{ key: 'k', value: 'v' }] }] };

/** kafkajs's answer to a send on a producer whose sequence numbers it rolled back. */
function outOfOrderSequence(): Error {
  return Object.assign(new Error('The broker received an out of order sequence number'), {
    name: 'KafkaJSProtocolError',
    type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    retriable: false,
  });
}

describe('ReplaceableProducer', () => {
  it('when a send fails, then that producer is disconnected and the next send goes through a new one', async () => {
    const { kafka, producers } = simulatedKafka({ connects: [], sends: [outOfOrderSequence()] });
    const producer = new ReplaceableProducer(kafka, { purpose: 'test' });

    await expect(producer.sendBatch(batch)).rejects.toMatchObject({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    await producer.sendBatch(batch);

    expect(producers).toEqual([
      { sent: 1, disconnected: true },
      { sent: 1, disconnected: false },
    ]);
    expect(producer.producersCreated).toBe(2);
  });

  it('when a connect fails, then calls fail at once during the backoff, and a new producer connects after it', async () => {
    const { kafka, producers, connectsAt } = simulatedKafka({
      connects: [new Error('ECONNREFUSED')],
      sends: [],
    });
    const producer = new ReplaceableProducer(kafka, {
      purpose: 'test',
      reconnectBackoff: { initialDelayMs: 200, maxDelayMs: 200 },
    });

    await expect(producer.sendBatch(batch)).rejects.toThrow('ECONNREFUSED');
    await expect(producer.sendBatch(batch)).rejects.toBeInstanceOf(ProducerReconnectPending);
    expect(producers).toHaveLength(1);

    // The backoff is half fixed: nothing is tried for at least 100 ms, and it is over after 200 ms.
    await waitFor(
      'a send after the backoff',
      async () => {
        try {
          await producer.sendBatch(batch);
          return true;
        } catch (error) {
          if (error instanceof ProducerReconnectPending) return false;
          throw error;
        }
      },
      { timeoutMs: 2_000, intervalMs: 10 },
    );
    // Measured between the failed connect and the next one, by their own times. Measured from when
    // the test saw the failure, the time its rejection took to reach the test came off the backoff
    // (95 ms on a loaded machine).
    const [failedConnectAt, nextConnectAt] = connectsAt as [number, number];
    expect(nextConnectAt - failedConnectAt).toBeGreaterThanOrEqual(100);
    expect(producers).toEqual([
      { sent: 0, disconnected: true },
      { sent: 1, disconnected: false },
    ]);
  });

  it('when callers send at once, then they share one producer and one connect', async () => {
    const { kafka, producers } = simulatedKafka({ connects: [], sends: [] });
    const producer = new ReplaceableProducer(kafka, { purpose: 'test' });

    await Promise.all([producer.sendBatch(batch), producer.send({ topic: 't', messages: [] })]);

    expect(producers).toEqual([{ sent: 2, disconnected: false }]);
  });

  it('when closed, then the producer is disconnected and a later send connects a new one', async () => {
    const { kafka, producers } = simulatedKafka({ connects: [], sends: [] });
    const producer = new ReplaceableProducer(kafka, { purpose: 'test' });
    await producer.connect();

    await producer.close();
    await producer.sendBatch(batch);

    expect(producers).toEqual([
      { sent: 0, disconnected: true },
      { sent: 1, disconnected: false },
    ]);
  });
});
