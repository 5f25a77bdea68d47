import { nextSweepDelayMs } from './saga-timeout';

describe("the saga-timeout sweeper's sleep", () => {
  const [intervalMs, longestSleepMs] = [1_000, 25_000];

  it('when no order is pending, then it sleeps its longest: an order placed since expires after that', () => {
    expect(nextSweepDelayMs(null, intervalMs, longestSleepMs)).toBe(longestSleepMs);
  });

  it('when the oldest pending order expires within the longest sleep, then it sleeps until then', () => {
    expect(nextSweepDelayMs(7_250.4, intervalMs, longestSleepMs)).toBe(7_251);
  });

  it('when the oldest pending order expires later than the longest sleep, then it sleeps its longest', () => {
    expect(nextSweepDelayMs(29_900, intervalMs, longestSleepMs)).toBe(longestSleepMs);
  });

  it('when an order has expired but another transaction holds it, then it looks again after an interval, not in a loop', () => {
    expect(nextSweepDelayMs(-40, intervalMs, longestSleepMs)).toBe(intervalMs);
    expect(nextSweepDelayMs(0.5, intervalMs, longestSleepMs)).toBe(intervalMs);
  });
});
