import { logLevel } from 'kafkajs';

import { createKafka, kafkaLogLevel, type KafkaLogger } from './kafka-client';
import { kafkajsRequestQueue } from './kafkajs-request-queue-fix';

function capturingLogger(level = 'info'): KafkaLogger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const write = (lineLevel: string) => (_object: object, message: string) =>
    void lines.push({ level: lineLevel, message });
  return {
    level,
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

function idleRequestQueue() {
  const RequestQueue = kafkajsRequestQueue() as unknown as new (options: object) => {
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    scheduleCheckPendingRequests(): void;
    checkPendingRequests(): void;
  };
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: true,
    clientId: 'spec',
    broker: '127.0.0.1:1',
    logger: capturingLogger(),
  });
}

describe('kafkajs request queue (Node 24 TimeoutNegativeWarning, tulios/kafkajs#1751)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('when the queue is idle and not throttled, then no timer is scheduled (no negative delay)', () => {
    createKafka({ brokers: ['127.0.0.1:1'], clientId: 'spec', logger: capturingLogger() }); // loads the fix
    const queue = idleRequestQueue();
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    queue.scheduleCheckPendingRequests();
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('when requests are pending, then their check is still scheduled with a positive delay', () => {
    const queue = idleRequestQueue();
    queue.pending.push({});
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    queue.scheduleCheckPendingRequests();
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    expect(setTimeoutSpy.mock.calls[0]?.[1]).toBe(10);
    clearTimeout(queue.throttleCheckTimeoutId ?? undefined);
  });

  it('when the broker throttles the client, then the check waits out the throttle', () => {
    const queue = idleRequestQueue();
    queue.throttledUntil = Date.now() + 5_000;
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    queue.scheduleCheckPendingRequests();
    expect(setTimeoutSpy.mock.calls[0]?.[1]).toBeGreaterThan(4_000);
    clearTimeout(queue.throttleCheckTimeoutId ?? undefined);
  });
});

describe("kafkajs's logs through pino", () => {
  it('when the broker answers an error kafkajs retries (coordinator loading), then the line is debug', () => {
    const entry = {
      level: logLevel.ERROR,
      log: {
        message: 'Response GroupCoordinator(key: 10, version: 2)',
        error: 'The group coordinator is not available',
      },
    };
    expect(kafkaLogLevel(entry as never)).toBe('debug');
    const loading = {
      ...entry,
      log: {
        ...entry.log,
        error: "The coordinator is loading and hence can't process requests for this group",
      },
    };
    expect(kafkaLogLevel(loading as never)).toBe('debug');
  });

  it('when kafkajs reports an error that is not retried, then it stays an error; other levels map one to one', () => {
    const log = {
      message: 'Response Produce(key: 0, version: 7)',
      error: 'Not authorized to access topics: [Topic authorization failed]',
    };
    expect(kafkaLogLevel({ level: logLevel.ERROR, log } as never)).toBe('error');
    expect(kafkaLogLevel({ level: logLevel.WARN, log: { message: 'x' } } as never)).toBe('warn');
    expect(kafkaLogLevel({ level: logLevel.INFO, log: { message: 'x' } } as never)).toBe('info');
    expect(kafkaLogLevel({ level: logLevel.DEBUG, log: { message: 'x' } } as never)).toBe('debug');
  });

  it('when producers are created, then kafkajs has nothing to warn about (partitioner named, bounded retries considered)', () => {
    const logger = capturingLogger('debug');
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'spec', logger });
    kafka.producer();
    kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    expect(logger.lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });
});
