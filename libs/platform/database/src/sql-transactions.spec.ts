import { setImmediate as turnEnded } from 'node:timers/promises';

import { sendsCoalescedPerTurn } from './sql-transactions';

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
