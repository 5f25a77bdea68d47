import { distribution, percentile } from './stats';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('when there are 100 values, then p50 is the 50th and p99 the 99th', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('when there are few values, then a high percentile is the largest, never beyond it', () => {
    expect(percentile([3, 7], 99)).toBe(7);
    expect(percentile([3, 7], 50)).toBe(3);
    expect(percentile([5], 0)).toBe(5);
  });

  it('when there are none, then it is NaN rather than a made-up zero', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(distribution([]).max).toBeNaN();
  });
});

describe('distribution', () => {
  it('when the values are unsorted, then it sorts them first and leaves the input alone', () => {
    const values = [30, 10, 20, 40];
    expect(distribution(values)).toEqual({ count: 4, p50: 20, p95: 40, p99: 40, max: 40, mean: 25 });
    expect(values).toEqual([30, 10, 20, 40]);
  });
});
