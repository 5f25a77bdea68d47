import { setImmediate as turnEnded } from 'node:timers/promises';

import { expiryFrom, sendsCoalescedPerTurn, TransactionExpired } from './sql-transactions';

describe('sendsCoalescedPerTurn', () => {
  it('when statements are sent within one turn of the event loop, then the socket is corked once and uncorked as the turn ends', async () => {
    const calls: string[] = [];
    const beforeSend = sendsCoalescedPerTurn({
      cork: () => void calls.push('cork'),
      uncork: () => void calls.push('uncork'),
    });

    beforeSend(); // BEGIN
    beforeSend(); // the first statement, in the same synchronous run
    await Promise.resolve();
    beforeSend(); // a statement a few awaits later, still in the same turn
    expect(calls).toEqual(['cork']);

    await turnEnded();
    expect(calls).toEqual(['cork', 'uncork']);

    beforeSend(); // the next turn's statement: corked again
    await turnEnded();
    expect(calls).toEqual(['cork', 'uncork', 'cork', 'uncork']);
  });
});

describe('expiryFrom', () => {
  /** A clock that reads the given times, one per call: the start first. */
  const readings =
    (...times: number[]) =>
    () =>
      times.shift() as number;

  it('when a statement fails a fraction of a millisecond past the timeout, then the transaction has expired, with that failure as its cause', () => {
    // The statement_timeout cancel from the CI run: 600.2 ms after the start, which whole
    // milliseconds read as 600 and `>` took for a failure within the timeout.
    const cancelled = Object.assign(new Error('canceling statement due to statement timeout'), {
      code: '57014',
    });
    const expired = expiryFrom(600, readings(1000.4, 1600.6))(cancelled);
    expect(expired).toBeInstanceOf(TransactionExpired);
    expect(expired?.cause).toBe(cancelled);
  });

  it('when the failure comes exactly at the timeout, then the transaction has expired; a moment before, it has not', () => {
    expect(expiryFrom(600, readings(0, 600))()).toBeInstanceOf(TransactionExpired);
    expect(expiryFrom(600, readings(0, 599.9))()).toBeUndefined();
  });

  it('when no clock is given, then it measures on the monotonic clock, not on wall-clock time', () => {
    const wallClock = jest.spyOn(Date, 'now').mockReturnValue(0);
    const monotonic = jest.spyOn(performance, 'now').mockReturnValueOnce(10).mockReturnValueOnce(610.5);
    try {
      expect(expiryFrom(600)()).toBeInstanceOf(TransactionExpired);
    } finally {
      wallClock.mockRestore();
      monotonic.mockRestore();
    }
  });
});
