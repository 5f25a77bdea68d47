import { kafkajsRequestQueue } from '@ecommerce/kafkajs-fix';

import './kafka-broker';

/**
 * A tool (demo, chaos, benchmark) never loads @ecommerce/messaging, and its first kafkajs client is
 * this library's broker probe: loading the library must fix kafkajs's request queue, or Node 24
 * prints TimeoutNegativeWarning in every tool that starts a broker (it did, in the chaos run).
 */
describe('local-infra and kafkajs on Node 24', () => {
  it('when the library is loaded, then an idle kafkajs request queue schedules no timer (no negative delay)', () => {
    const RequestQueue = kafkajsRequestQueue() as unknown as new (options: object) => {
      throttleCheckTimeoutId: NodeJS.Timeout | null;
      scheduleCheckPendingRequests(): void;
    };
    const queue = new RequestQueue({
      maxInFlightRequests: 1,
      requestTimeout: 30_000,
      enforceRequestTimeout: true,
      clientId: 'spec',
      broker: '127.0.0.1:1',
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
    });
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    queue.scheduleCheckPendingRequests();
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });
});
