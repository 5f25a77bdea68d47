import { ConsumerProgress } from './consumer-progress';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** A promise the test settles by hand. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('ConsumerProgress (what the consumer watchdog judges)', () => {
  const windowMs = 10_000;

  it('when progress keeps coming within the window, then the consumer is not stalled', () => {
    const clock = manualClock();
    const progress = new ConsumerProgress(clock.now);
    for (let i = 0; i < 10; i++) {
      clock.advance(windowMs - 1);
      expect(progress.stall(windowMs)).toBeUndefined();
      progress.progressed();
    }
  });

  it('when nothing progresses for longer than the window and no handler runs, then it is stalled', () => {
    const clock = manualClock();
    const progress = new ConsumerProgress(clock.now);
    clock.advance(windowMs);
    expect(progress.stall(windowMs)).toBeUndefined();
    clock.advance(1);
    expect(progress.stall(windowMs)).toBe('no fetch, heartbeat, batch or group join completed for 10001 ms');
  });

  it('when one handler attempt runs longer than the window, then it is stalled, whatever else progresses', async () => {
    const clock = manualClock();
    const progress = new ConsumerProgress(clock.now);
    const hung = deferred();
    const attempt = progress.attempt(() => hung.promise);
    clock.advance(windowMs);
    progress.progressed(); // heartbeats go on while a handler runs
    expect(progress.stall(windowMs)).toBeUndefined();

    clock.advance(1);
    progress.progressed();
    expect(progress.stall(windowMs)).toBe('a handler attempt has been running for 10001 ms');

    hung.resolve();
    await attempt;
    expect(progress.stall(windowMs)).toBeUndefined();
  });

  it('when a slow attempt ends within the window, failed or not, then it counts as progress', async () => {
    const clock = manualClock();
    const progress = new ConsumerProgress(clock.now);
    const slow = deferred();
    const attempt = progress.attempt(() => slow.promise);
    clock.advance(windowMs - 1);
    slow.reject(new Error('database unavailable'));
    await expect(attempt).rejects.toThrow('database unavailable');

    clock.advance(windowMs - 1); // the waits between retries: the attempt's end was the last progress
    expect(progress.stall(windowMs)).toBeUndefined();
    clock.advance(2);
    expect(progress.stall(windowMs)).toMatch(/^no fetch/);
  });

  it('when attempts overlap (partitions handled at once), then the oldest one decides', async () => {
    const clock = manualClock();
    const progress = new ConsumerProgress(clock.now);
    const first = deferred();
    const second = deferred();
    const attempts = [progress.attempt(() => first.promise)];
    clock.advance(windowMs / 2);
    attempts.push(progress.attempt(() => second.promise));
    clock.advance(windowMs / 2 + 1);
    expect(progress.stall(windowMs)).toBe('a handler attempt has been running for 10001 ms');

    first.resolve();
    await attempts[0];
    expect(progress.stall(windowMs)).toBeUndefined();
    second.resolve();
    await Promise.all(attempts);
  });
});
