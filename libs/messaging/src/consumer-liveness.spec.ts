import { ConfigError } from '@ecommerce/config';

import { consumerLiveness, defaultConsumerLiveness } from './consumer-liveness';

describe('consumerLiveness', () => {
  it('when nothing is set, then the defaults apply: a 6 s session, 1 s heartbeats, a 30 s rebalance, a 60 s watchdog', () => {
    expect(consumerLiveness({})).toEqual(defaultConsumerLiveness);
    expect(defaultConsumerLiveness).toEqual({
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
      rebalanceTimeoutMs: 30_000,
      stallTimeoutMs: 60_000,
    });
  });

  it('when the settings are consistent, then they are used as they are', () => {
    expect(
      consumerLiveness({
        KAFKA_CONSUMER_SESSION_TIMEOUT_MS: 6_000,
        KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: 2_000,
        KAFKA_CONSUMER_REBALANCE_TIMEOUT_MS: 5_000,
        KAFKA_CONSUMER_STALL_TIMEOUT_MS: 6_001,
      }),
    ).toEqual({
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 2_000,
      rebalanceTimeoutMs: 5_000,
      stallTimeoutMs: 6_001,
    });
  });

  it('when the heartbeat is over a third of the session and the watchdog no longer than a rebalance, then both are refused by name', () => {
    const load = () =>
      consumerLiveness({
        KAFKA_CONSUMER_SESSION_TIMEOUT_MS: 6_000,
        KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: 2_001,
        KAFKA_CONSUMER_STALL_TIMEOUT_MS: 30_000,
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS \(2001\) must be at most a third of KAFKA_CONSUMER_SESSION_TIMEOUT_MS \(6000\)/,
    );
    expect(load).toThrow(/KAFKA_CONSUMER_STALL_TIMEOUT_MS \(30000\) must be longer than/);
  });
});
