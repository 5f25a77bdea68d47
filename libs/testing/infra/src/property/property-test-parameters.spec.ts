import fc from 'fast-check';

import {
  DEFAULT_PROPERTY_RUNS,
  DEFAULT_PROPERTY_SEED,
  propertyTestParameters,
} from './property-test-parameters';

describe('propertyTestParameters', () => {
  it('when the environment says nothing, then the seed is fixed and the runs bounded', () => {
    expect(propertyTestParameters({}, {})).toMatchObject({
      seed: DEFAULT_PROPERTY_SEED,
      numRuns: DEFAULT_PROPERTY_RUNS,
    });
    expect(propertyTestParameters({ defaultRuns: 5 }, {})).toMatchObject({ numRuns: 5 });
  });

  it('when PROPERTY_SEED, PROPERTY_RUNS and PROPERTY_PATH are set, then they win, and the path replays alone', () => {
    const env = { PROPERTY_SEED: '-7', PROPERTY_RUNS: '1000', PROPERTY_PATH: '3:1' };
    expect(propertyTestParameters({ defaultRuns: 5 }, env)).toMatchObject({
      seed: -7,
      numRuns: 1000,
      path: '3:1',
      endOnFailure: true,
    });
  });

  it.each([
    [{ PROPERTY_SEED: 'abc' }, 'PROPERTY_SEED must be an integer, got "abc"'],
    [{ PROPERTY_RUNS: '1.5' }, 'PROPERTY_RUNS must be an integer, got "1.5"'],
    [{ PROPERTY_RUNS: '0' }, 'PROPERTY_RUNS must be at least 1, got 0'],
  ])('when %j, then it refuses with %s', (env, message) => {
    expect(() => propertyTestParameters({}, env)).toThrow(message);
  });

  it('when a property fails, then the report starts with the environment and jest command that replay it', () => {
    let report = '';
    try {
      fc.assert(
        fc.property(fc.nat(), (n) => n < 10),
        propertyTestParameters({}, {}),
      );
    } catch (error) {
      report = (error as Error).message;
    }
    expect(report).toMatch(
      /^Replay this failure: PROPERTY_SEED=20260115 PROPERTY_PATH=\S+ npx jest -c \S*libs\/testing\/infra\/jest\.config\.ts \S*property-test-parameters\.spec\.ts -t '\^propertyTestParameters when a property fails/,
    );
    expect(report).toContain('Counterexample: [10]');
  });
});
