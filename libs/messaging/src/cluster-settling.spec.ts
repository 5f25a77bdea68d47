import { KafkaJSNumberOfRetriesExceeded } from 'kafkajs';

import { isRetriableKafkaError, untilClusterSettles } from './cluster-settling';
import { unknownTopicOrPartition as notYet } from './testing/kafka-errors.fixture';

describe('untilClusterSettles', () => {
  it('retries what the broker answers "not yet", until it succeeds', async () => {
    let calls = 0;
    const result = await untilClusterSettles(
      'subscribe',
      async () => {
        calls += 1;
        if (calls < 3) throw new KafkaJSNumberOfRetriesExceeded(notYet(), { retryCount: 5, retryTime: 1 });
        return 'subscribed';
      },
      { initialDelayMs: 1, maxDelayMs: 2 },
    );
    expect(result).toBe('subscribed');
    expect(calls).toBe(3);
  });

  it('when given its own test of "not settled yet", then it retries those errors and fails at once on the others', async () => {
    let calls = 0;
    const timedOut = Object.assign(new Error('registry request timed out'), { code: 'TIMEOUT' });
    const refused = Object.assign(new Error('incompatible'), { code: 'SCHEMA_INCOMPATIBLE' });
    const isRetriable = (error: unknown) => (error as { code?: unknown }).code !== 'SCHEMA_INCOMPATIBLE';
    const step = () =>
      untilClusterSettles(
        'register',
        async () => {
          calls += 1;
          if (calls < 3) throw timedOut;
          throw refused;
        },
        { initialDelayMs: 1, maxDelayMs: 2, isRetriable },
      );
    await expect(step()).rejects.toBe(refused);
    expect(calls).toBe(3);
  });

  it('fails at once on an error kafkajs does not mark retriable', async () => {
    let calls = 0;
    const refused = Object.assign(new Error('Topic authorization failed'), { retriable: false });
    await expect(
      untilClusterSettles('subscribe', async () => {
        calls += 1;
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('gives up at its deadline with the last error', async () => {
    await expect(
      untilClusterSettles(
        'create topics',
        async () => {
          throw notYet();
        },
        { timeoutMs: 20, initialDelayMs: 5, maxDelayMs: 5 },
      ),
    ).rejects.toThrow('This server does not host this topic-partition');
  });

  it('looks through kafkajs wrappers for the retriable cause', () => {
    expect(
      isRetriableKafkaError(new KafkaJSNumberOfRetriesExceeded(notYet(), { retryCount: 5, retryTime: 1 })),
    ).toBe(true);
    expect(isRetriableKafkaError(new Error('boom'))).toBe(false);
    expect(isRetriableKafkaError(undefined)).toBe(false);
  });
});
