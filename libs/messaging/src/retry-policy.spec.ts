import { RetryBudget, type NextStep } from './retry-policy';

const policy = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000 };

/** Errors described by what the consumer's classification reads from them. */
type Described = { outage?: boolean; permanent?: boolean; windowMs?: number };

function budget(clock: { now: number }) {
  return new RetryBudget(
    policy,
    {
      isOutage: (e) => (e as Described).outage === true,
      isRetriable: (e) => (e as Described).permanent !== true,
      selfClearingWindowMs: (e) => (e as Described).windowMs,
    },
    () => clock.now,
    () => 1, // the top of each backoff range, so delays are exact
  );
}

const kinds = (steps: NextStep[]) =>
  steps.map((s) => (s.action === 'retry' ? `${s.because}#${s.retry}` : `dead-letter after ${s.attempts}`));

describe('RetryBudget', () => {
  it('when handling keeps failing, then the message is dead-lettered after maxAttempts, with growing delays', () => {
    const b = budget({ now: 0 });
    const steps = [1, 2, 3].map(() => b.afterFailure(new Error('bug')));
    expect(kinds(steps)).toEqual(['failure#1', 'failure#2', 'dead-letter after 3']);
    expect(steps.map((s) => (s.action === 'retry' ? s.delayMs : undefined))).toEqual([100, 200, undefined]);
  });

  it('when the failure is permanent, then it is dead-lettered at once', () => {
    expect(kinds([budget({ now: 0 }).afterFailure({ permanent: true })])).toEqual(['dead-letter after 1']);
  });

  it('when a dependency is down for many tries, then no attempt is spent and the delay stays at the maximum', () => {
    const b = budget({ now: 0 });
    const outage = Array.from({ length: 50 }, () => b.afterFailure({ outage: true }));
    expect(outage.every((s) => s.action === 'retry' && s.because === 'outage')).toBe(true);
    expect(outage.at(-1)).toMatchObject({ delayMs: policy.maxDelayMs });
    // The message still has its whole budget once the dependency is back.
    const after = [1, 2, 3].map(() => b.afterFailure(new Error('bug')));
    expect(kinds(after)).toEqual(['failure#1', 'failure#2', 'dead-letter after 3']);
  });

  it('when a failure clears by itself within its window, then it is retried for that long, then spends attempts', () => {
    const clock = { now: 1_000 };
    const b = budget(clock);
    const early = { windowMs: 60_000 };
    const steps: NextStep[] = [];
    for (const at of [1_000, 10_000, 30_000, 60_999]) {
      clock.now = at;
      steps.push(b.afterFailure(early));
    }
    expect(kinds(steps)).toEqual(['waiting#1', 'waiting#2', 'waiting#3', 'waiting#4']);
    clock.now = 61_000; // the window, counted from the first failure, is over
    expect(kinds([b.afterFailure(early), b.afterFailure(early), b.afterFailure(early)])).toEqual([
      'failure#1',
      'failure#2',
      'dead-letter after 3',
    ]);
  });
});
