import { needsCluster, needsOneBroker, PROFILES, type FaultStep } from './profiles';

describe('the chaos profiles and the Kafka they run on', () => {
  it.each(['full', 'quick'] as const)(
    'when the %s profile runs on one broker, then none of its steps needs a cluster',
    (name) => {
      const profile = PROFILES[name];
      expect(profile.kafkaBrokers).toBe(1);
      expect(profile.plan.filter((step) => needsCluster(step) !== undefined)).toEqual([]);
    },
  );

  it('when the cluster profile runs on three brokers, then none of its steps needs one broker or Kafka routes', () => {
    const { cluster } = PROFILES;
    expect(cluster.kafkaBrokers).toBe(3);
    expect(cluster.plan.filter((step) => needsOneBroker(step) !== undefined)).toEqual([]);
  });

  it('when the cluster profile runs, then a broker is crashed and brought back before one is lost for the rest of the run', () => {
    const kinds = PROFILES.cluster.plan.map((step) => step.fault);
    const crash = kinds.indexOf('kafka-broker-crash');
    const lost = kinds.indexOf('kafka-broker-lost');
    expect(crash).toBeGreaterThanOrEqual(0);
    expect(lost).toBeGreaterThan(crash);
    // Nothing after the loss brings a broker back or takes another away: the run ends on two.
    expect(kinds.slice(lost + 1).filter((kind) => kind.startsWith('kafka-broker'))).toEqual([]);
  });

  it('when a step faults the Kafka routes or the single broker, then it needs one broker, and says why', () => {
    const oneBroker: FaultStep[] = [
      { fault: 'kafka-broker-restart', downForMs: 1 },
      { fault: 'connections-reset', dependency: 'kafka' },
      { fault: 'dependency-latency', dependency: 'kafka', delayMs: 1, forMs: 1 },
      { fault: 'kafka-unreachable-at-first-publish', service: 'order', refuseForMs: 1, publishWithinMs: 1 },
    ];
    for (const step of oneBroker) expect(needsOneBroker(step)).toEqual(expect.any(String));
    expect(needsOneBroker({ fault: 'connections-reset', dependency: 'postgres' })).toBeUndefined();
    expect(
      needsOneBroker({ fault: 'dependency-latency', dependency: 'registry', delayMs: 1, forMs: 1 }),
    ).toBeUndefined();
    expect(needsOneBroker({ fault: 'kafka-broker-crash', downForMs: 1 })).toBeUndefined();
  });

  it('when a step loses a broker of several, then it needs a cluster', () => {
    expect(needsCluster({ fault: 'kafka-broker-crash', downForMs: 1 })).toEqual(expect.any(String));
    expect(needsCluster({ fault: 'kafka-broker-lost' })).toEqual(expect.any(String));
    expect(needsCluster({ fault: 'kafka-broker-restart', downForMs: 1 })).toBeUndefined();
  });
});
