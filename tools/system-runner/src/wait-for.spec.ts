import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('when the probe returns undefined, null or false, then it keeps polling until a value comes', async () => {
    const answers = [undefined, null, false, { result: 'recorded' }];
    let polls = 0;
    const value = await waitFor('a value', () => answers[polls++], { timeoutMs: 5_000, intervalMs: 1 });
    expect(value).toEqual({ result: 'recorded' });
    expect(polls).toBe(4);
  });

  it('when the probe never returns a value, then it fails at the deadline naming what it waited for and the last answer', async () => {
    await expect(
      waitFor('the result to be recorded', () => null, { timeoutMs: 20, intervalMs: 5 }),
    ).rejects.toThrow('timed out after 20 ms waiting for the result to be recorded (last: null)');
  });
});
