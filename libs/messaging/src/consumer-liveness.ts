import { ConfigError } from '@ecommerce/config';

/**
 * How a consumer group tells a dead or stuck member from a busy one. kafkajs's defaults (a 30 s
 * session, a 60 s rebalance, no watchdog) let a killed instance's partitions stall for as long as
 * the saga timeout, so every order in them timed out; these are chosen instead (README,
 * "Consumers"):
 *
 * - `sessionTimeoutMs`: a member that sends no heartbeat for this long is evicted and its
 *   partitions reassigned: the bound on a killed instance's stall.
 * - `heartbeatIntervalMs`: how often a member heartbeats. kafkajs heartbeats only from its fetch
 *   loop, so an idle fetch waits at most this long, and the consumer heartbeats itself while a
 *   handler runs or waits to retry: a slow handler is not mistaken for a dead member. A member
 *   learns of a rebalance at its next heartbeat, so this also bounds how long it keeps the others
 *   waiting, beyond the message in hand.
 * - `rebalanceTimeoutMs`: how long a rebalance waits for every member to rejoin.
 * - `stallTimeoutMs`: the watchdog's window (`ConsumerProgress`). A member alive but making no
 *   progress (kafkajs issue #659: the fetch loop hangs) is evicted by nobody, since it may well
 *   keep its session, so the consumer restarts itself. Longer than a rebalance, during which a
 *   joining member legitimately hears nothing.
 */
export interface ConsumerLiveness {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  stallTimeoutMs: number;
}

export const defaultConsumerLiveness: ConsumerLiveness = {
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
  rebalanceTimeoutMs: 30_000,
  stallTimeoutMs: 60_000,
};

/** The consumer part of a service's validated configuration (`kafkaConsumerSettings`). */
export interface ConsumerLivenessSettings {
  KAFKA_CONSUMER_SESSION_TIMEOUT_MS?: number;
  KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS?: number;
  KAFKA_CONSUMER_REBALANCE_TIMEOUT_MS?: number;
  KAFKA_CONSUMER_STALL_TIMEOUT_MS?: number;
}

/**
 * The liveness settings, with the relations a schema cannot express: a heartbeat interval of at
 * most a third of the session (two lost heartbeats do not evict a member), and a stall window longer
 * than a rebalance and than a session (a member that is joining, or waiting for a dead one to be
 * evicted, hears nothing for that long without being stuck). A bad combination stops the service
 * at start, naming the variables.
 */
export function consumerLiveness(settings: ConsumerLivenessSettings): ConsumerLiveness {
  const liveness: ConsumerLiveness = {
    sessionTimeoutMs: settings.KAFKA_CONSUMER_SESSION_TIMEOUT_MS ?? defaultConsumerLiveness.sessionTimeoutMs,
    heartbeatIntervalMs:
      settings.KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS ?? defaultConsumerLiveness.heartbeatIntervalMs,
    rebalanceTimeoutMs:
      settings.KAFKA_CONSUMER_REBALANCE_TIMEOUT_MS ?? defaultConsumerLiveness.rebalanceTimeoutMs,
    stallTimeoutMs: settings.KAFKA_CONSUMER_STALL_TIMEOUT_MS ?? defaultConsumerLiveness.stallTimeoutMs,
  };
  const problems: string[] = [];
  if (liveness.heartbeatIntervalMs * 3 > liveness.sessionTimeoutMs) {
    problems.push(
      `KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS (${liveness.heartbeatIntervalMs}) must be at most a third of KAFKA_CONSUMER_SESSION_TIMEOUT_MS (${liveness.sessionTimeoutMs})`,
    );
  }
  const longestSilence = Math.max(liveness.rebalanceTimeoutMs, liveness.sessionTimeoutMs);
  if (liveness.stallTimeoutMs <= longestSilence) {
    problems.push(
      `KAFKA_CONSUMER_STALL_TIMEOUT_MS (${liveness.stallTimeoutMs}) must be longer than KAFKA_CONSUMER_REBALANCE_TIMEOUT_MS and KAFKA_CONSUMER_SESSION_TIMEOUT_MS (${longestSilence})`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return liveness;
}
