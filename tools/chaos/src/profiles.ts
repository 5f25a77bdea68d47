import type { TopicKey } from '@ecommerce/contracts';
import type { ServiceName } from '@ecommerce/system-runner';

import type { Dependency } from './dependency-routes';

/** One step of a run's plan: a fault and its parameters. */
export type FaultStep =
  | { fault: 'kill-9'; service: ServiceName; instance: number }
  | { fault: 'kafka-broker-restart'; downForMs: number }
  | { fault: 'kafka-broker-crash'; downForMs: number }
  | { fault: 'kafka-broker-lost' }
  | { fault: 'postgres-crash' }
  | { fault: 'duplicate-deliveries'; perTopic: number }
  | { fault: 'poison-message' }
  | { fault: 'stock-adjustment'; quantity: number }
  | {
      fault: 'kafka-unreachable-at-first-publish';
      service: ServiceName;
      refuseForMs: number;
      publishWithinMs: number;
    }
  | { fault: 'smtp-slower-than-transaction'; answerAfterMs: number; forMs: number }
  | { fault: 'registry-hangs'; forMs: number }
  | { fault: 'dead-letter-replay-after-cancel' }
  | { fault: 'oversized-event'; service: ServiceName; topic: TopicKey; quarantineWithinMs: number }
  | { fault: 'relay-leader-db-blackholed'; service: ServiceName; takeoverWithinMs: number }
  | { fault: 'dependency-latency'; dependency: Dependency; delayMs: number; forMs: number }
  | { fault: 'connections-reset'; dependency: Dependency };

export interface Profile {
  name: 'full' | 'quick' | 'cluster';
  /**
   * Kafka nodes the run starts: 1, every instance reaching the broker through Kafka routes of its
   * own (fault proxies); 3, a cluster with replication factor 3 and min.insync.replicas 2, reached
   * directly (see `needsOneBroker`).
   */
  kafkaBrokers: 1 | 3;
  ordersPerSecond: number;
  /** Load before the first fault and after the last one. */
  leadMs: number;
  /** Load between two steps, so each fault's effects overlap the next only a little. */
  gapMs: number;
  /** How long a killed instance stays dead. */
  killedForMs: number;
  /** The faults, in order. Some go on in the background while the next ones are injected. */
  plan: readonly FaultStep[];
}

/**
 * How long a standby may take to lead and publish once the leader's database connection went
 * silent: issue 10 requires a configured bound of at most 30 s by default.
 */
const RELAY_TAKEOVER_BOUND_MS = 30_000;
/**
 * Longer than the interactive transaction a notification is handled in (Prisma's default, 5 s,
 * unless notification-service configures another): a mail sent inside it outlives the transaction.
 */
const SMTP_ANSWER_AFTER_MS = 8_000;
/**
 * The services' registry request deadline in a chaos run (SCHEMA_REGISTRY_TIMEOUT_MS): the 20 s
 * registry hang spans six of them, so a consumer that spent an attempt on each timeout would
 * dead-letter (after five), while the hang stays shorter than the saga timeout.
 */
export const REGISTRY_REQUEST_DEADLINE_MS = 3_000;
/**
 * Longer than kafkajs's retries of a connect (5 retries from 300 ms, doubling, with 20 % jitter: at
 * most about 11 s) after the standby took the lead (about 1 s), so the first publish of a fresh
 * producer fails for good while Kafka refuses; no longer, since the orders placed meanwhile wait.
 */
const KAFKA_REFUSED_MS = 15_000;

/**
 * The steps a run on a cluster cannot make, and why. Kafka routes: on one broker each instance
 * reaches Kafka through a fault proxy in front of a listener of its own; a cluster would need such a
 * listener and proxy per instance on every node (30 proxies for 10 instances), and a proxy in front
 * of a killed broker turns the refused connection its clients would see into one accepted and then
 * closed. Those faults test how a client meets a broken route, which the number of brokers behind
 * it does not change, and the single-broker profiles prove them. `kafka-broker-restart` stops the
 * one broker; on a cluster, `kafka-broker-crash` kills one of three.
 */
export function needsOneBroker(step: FaultStep): string | undefined {
  switch (step.fault) {
    case 'kafka-unreachable-at-first-publish':
      return 'it refuses one instance its Kafka route';
    case 'dependency-latency':
    case 'connections-reset':
      return step.dependency === 'kafka' ? "it acts on the instances' Kafka routes" : undefined;
    case 'kafka-broker-restart':
      return 'it stops the whole of Kafka, which is one broker';
    default:
      return undefined;
  }
}

/** The steps a run on one broker cannot make: the loss of one broker of several. */
export function needsCluster(step: FaultStep): string | undefined {
  return step.fault === 'kafka-broker-crash' || step.fault === 'kafka-broker-lost'
    ? 'it kills one broker of three, which the others replace'
    : undefined;
}

const kills = (instance: number): FaultStep[] =>
  (['inventory', 'order', 'payment', 'notification', 'analytics'] as const).map((service) => ({
    fault: 'kill-9',
    service,
    instance,
  }));

/** Interleaves two lists: a, b, a, b, ... then the rest of the longer one. */
function interleave<T>(first: readonly T[], second: readonly T[]): T[] {
  return Array.from({ length: Math.max(first.length, second.length) }, (_, i) => [first[i], second[i]])
    .flat()
    .filter((step): step is T => step !== undefined);
}

export const PROFILES: Record<Profile['name'], Profile> = {
  /**
   * Every fault kind, every instance killed once, at 3 orders/s: the acceptance run of issue 10.
   * The relay faults hit services of the saga, so the saga's timeout must cover how long they take
   * to recover. The first publish is order-service's in both profiles: its rows come from the API,
   * while a service whose rows come from its consumers writes few while its route to Kafka refuses
   * (its consumers need new connections too). The registry hang lasts longer than five registry requests' 15 s deadlines, so a
   * consumer that spends an attempt on each would dead-letter.
   */
  full: {
    name: 'full',
    kafkaBrokers: 1,
    ordersPerSecond: 3,
    leadMs: 15_000,
    gapMs: 8_000,
    killedForMs: 3_000,
    plan: interleave(
      [...kills(0), ...kills(1)],
      [
        { fault: 'duplicate-deliveries', perTopic: 30 },
        { fault: 'smtp-slower-than-transaction', answerAfterMs: SMTP_ANSWER_AFTER_MS, forMs: 25_000 },
        { fault: 'poison-message' },
        { fault: 'oversized-event', service: 'inventory', topic: 'inventory', quarantineWithinMs: 60_000 },
        { fault: 'kafka-broker-restart', downForMs: 15_000 },
        { fault: 'dead-letter-replay-after-cancel' },
        { fault: 'stock-adjustment', quantity: 25 },
        { fault: 'relay-leader-db-blackholed', service: 'order', takeoverWithinMs: RELAY_TAKEOVER_BOUND_MS },
        { fault: 'postgres-crash' },
        { fault: 'dependency-latency', dependency: 'postgres', delayMs: 50, forMs: 20_000 },
        {
          fault: 'kafka-unreachable-at-first-publish',
          service: 'order',
          refuseForMs: KAFKA_REFUSED_MS,
          publishWithinMs: 60_000,
        },
        { fault: 'connections-reset', dependency: 'kafka' },
        { fault: 'registry-hangs', forMs: 20_000 },
        { fault: 'dependency-latency', dependency: 'kafka', delayMs: 100, forMs: 20_000 },
        {
          fault: 'relay-leader-db-blackholed',
          service: 'inventory',
          takeoverWithinMs: RELAY_TAKEOVER_BOUND_MS,
        },
        { fault: 'connections-reset', dependency: 'postgres' },
        { fault: 'duplicate-deliveries', perTopic: 30 },
      ],
    ),
  },
  /**
   * For CI, under 5 minutes: one kill per service and every fault of issue 10 whose proof is short.
   * The registry hang is left to the full run: it proves something only when it outlasts five
   * registry deadlines (over a minute, with every restart meanwhile waiting for it). The oversized
   * row and the relay leader's cut go to notification-service, whose events no saga waits for, so
   * a slow recovery from them shows in their own verdicts rather than as TIMEOUTs.
   */
  quick: {
    name: 'quick',
    kafkaBrokers: 1,
    ordersPerSecond: 2,
    leadMs: 5_000,
    gapMs: 2_000,
    killedForMs: 1_000,
    plan: interleave(kills(0), [
      { fault: 'duplicate-deliveries', perTopic: 15 },
      { fault: 'smtp-slower-than-transaction', answerAfterMs: SMTP_ANSWER_AFTER_MS, forMs: 12_000 },
      { fault: 'poison-message' },
      {
        fault: 'oversized-event',
        service: 'notification',
        topic: 'notifications',
        quarantineWithinMs: 45_000,
      },
      { fault: 'kafka-broker-restart', downForMs: 8_000 },
      { fault: 'dead-letter-replay-after-cancel' },
      { fault: 'stock-adjustment', quantity: 25 },
      {
        fault: 'relay-leader-db-blackholed',
        service: 'notification',
        takeoverWithinMs: RELAY_TAKEOVER_BOUND_MS,
      },
      { fault: 'postgres-crash' },
      { fault: 'dependency-latency', dependency: 'postgres', delayMs: 50, forMs: 10_000 },
      {
        fault: 'kafka-unreachable-at-first-publish',
        service: 'order',
        refuseForMs: KAFKA_REFUSED_MS,
        publishWithinMs: 45_000,
      },
      { fault: 'duplicate-deliveries', perTopic: 15 },
    ]),
  },
  /**
   * `--brokers 3`: SPEC section 10 on a cluster of three (replication factor 3, min.insync.replicas
   * 2), the acceptance run of issue 14's broker loss. The broker leading the busiest partitions is
   * killed with SIGKILL and brought back; later the busiest one then is killed for good, and the run
   * ends on two brokers. Around them, the faults that exercise Kafka's data path on the cluster
   * (duplicates re-produced, poison dead-lettered to replicated topics, instances killed so their
   * groups rebalance with the coordinator on a replicated offsets topic, a database crash). The
   * route faults to PostgreSQL and the registry do not involve Kafka's replication and are left to
   * the single-broker profiles, as are the Kafka-route faults (`needsOneBroker`). Each broker loss
   * waits for the killed instances to be back, so the stall it measures is its own.
   */
  cluster: {
    name: 'cluster',
    kafkaBrokers: 3,
    ordersPerSecond: 3,
    leadMs: 20_000,
    gapMs: 10_000,
    killedForMs: 3_000,
    plan: [
      { fault: 'duplicate-deliveries', perTopic: 15 },
      { fault: 'kill-9', service: 'order', instance: 0 },
      { fault: 'poison-message' },
      { fault: 'kafka-broker-crash', downForMs: 20_000 },
      { fault: 'kill-9', service: 'inventory', instance: 1 },
      { fault: 'stock-adjustment', quantity: 25 },
      { fault: 'postgres-crash' },
      { fault: 'kill-9', service: 'payment', instance: 0 },
      { fault: 'kafka-broker-lost' },
      { fault: 'duplicate-deliveries', perTopic: 15 },
      { fault: 'kill-9', service: 'notification', instance: 1 },
    ],
  },
};
