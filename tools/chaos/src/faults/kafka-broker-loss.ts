import type { PartitionPlacement } from '@ecommerce/local-infra';

import {
  brokerToKill,
  describeLeads,
  partitionsUnderReplicated,
  partitionsWithoutLiveLeader,
  type BrokerChoice,
} from '../broker-choice';
import { eventually, pause, type ChaosRun } from '../chaos-run';
import { ordersPendingLongerThan } from '../service-databases';
import type { FaultKind } from '../report';
import type { FaultWindow } from '../stall';

/** SPEC section 10, which the run checks for every order in flight while a broker of three is down. */
const SPEC_10 = 'SPEC 10: losing one broker of three stalls the saga only briefly';
/**
 * How long the surviving brokers may take to lead every partition of a killed one: the controller
 * fences a broker that stopped heartbeating after broker.session.timeout.ms (9 s), plus a quorum
 * election when the killed node was the active controller.
 */
const ELECTION_DEADLINE_MS = 60_000;
/** How long a restarted broker may take to catch up on what it missed and rejoin every ISR. */
const IN_SYNC_DEADLINE_MS = 180_000;
/**
 * An order PENDING longer than this before a kill means the saga is still catching up on an earlier
 * fault (an instance's restart, its group's rebalance), whose delay the window would then count.
 */
const CAUGHT_UP_WITHIN_MS = 5_000;
const CAUGHT_UP_DEADLINE_MS = 120_000;

/**
 * `kill -9` of the broker leading the busiest partitions (SPEC section 10), `downForMs` down, then
 * started again on its data. Done when it is back in every partition's in-sync replicas, so a later
 * broker loss never meets partitions short of a replica. Runs alone among the dependency faults,
 * after the instances killed before it are back and the saga has caught up, so the stall measured
 * over its window is its own.
 */
export async function kafkaBrokerCrash(run: ChaosRun, downForMs: number): Promise<void> {
  await run.dependencyFault(async () => {
    await run.instances.settled();
    await run.faults.inject('kafka-broker-crash', brokerTarget(run), async () => {
      const { choice, window } = await killBusiestBroker(run, 'kafka-broker-crash');
      const steps = [`node ${choice.nodeId} killed (${led(run, choice)})`];
      try {
        steps.push(await leadersElected(run, choice.nodeId, window.from));
        await pause(Math.max(0, window.from + downForMs - Date.now()));
      } finally {
        // Started again even when the election failed: the rest of the run needs the broker.
        const starting = Date.now();
        await run.infra.startKafkaBroker(choice.nodeId);
        steps.push(
          `started again after ${seconds(starting - window.from)}, listed after ${seconds(Date.now() - starting)}`,
        );
      }
      const inSyncFrom = Date.now();
      await allInSync(run, IN_SYNC_DEADLINE_MS);
      window.to = Date.now();
      steps.push(`every replica in sync ${seconds(window.to - inSyncFrom)} later`);
      return steps.join('; ');
    });
  });
}

/**
 * `kill -9` of the broker leading the busiest partitions, which stays down for the rest of the run:
 * the cluster goes on with two brokers, every partition with two in-sync replicas
 * (min.insync.replicas 2, so acks=all writes go on), and the run ends, quiet and checked, on them.
 */
export async function kafkaBrokerLost(run: ChaosRun): Promise<void> {
  await run.dependencyFault(async () => {
    await run.instances.settled();
    await run.faults.inject('kafka-broker-lost', brokerTarget(run), async () => {
      const { choice, window } = await killBusiestBroker(run, 'kafka-broker-lost');
      const elected = await leadersElected(run, choice.nodeId, window.from);
      return `node ${choice.nodeId} killed for the rest of the run (${led(run, choice)}); ${elected}`;
    });
  });
}

function brokerTarget(run: ChaosRun): string {
  return `busiest of ${run.infra.kafkaBrokerCount} Kafka brokers`;
}

function led(run: ChaosRun, choice: BrokerChoice): string {
  return `it led ${describeLeads(choice, run.topicPrefix)}: ${Math.round(choice.ledShare * 100)} % of the records`;
}

/**
 * Once every replica is in sync and the saga has caught up (no order PENDING for more than 5 s),
 * kills the broker leading the partitions that took the most records. Its window (in force until
 * the load stops, unless the fault ends it) opens at the kill.
 */
async function killBusiestBroker(
  run: ChaosRun,
  kind: FaultKind,
): Promise<{ choice: BrokerChoice; window: FaultWindow }> {
  if (run.infra.kafkaBrokerCount < 3)
    throw new Error(`${kind} needs a cluster of three brokers (--brokers 3)`);
  await allInSync(run, IN_SYNC_DEADLINE_MS);
  await eventually(
    `no order PENDING for more than ${CAUGHT_UP_WITHIN_MS / 1000} s`,
    async () =>
      (await ordersPendingLongerThan(run.databaseUrl('order'), CAUGHT_UP_WITHIN_MS)) === 0 || undefined,
    { timeoutMs: CAUGHT_UP_DEADLINE_MS, intervalMs: 500 },
  );
  const eventTopics = await run.kafka.eventTopics();
  const choice = brokerToKill(
    await run.infra.kafkaPlacement(eventTopics),
    await run.kafka.partitionVolumes(eventTopics),
  );
  const window: FaultWindow = {
    kind,
    target: `Kafka node ${choice.nodeId}`,
    from: Date.now(),
    to: undefined,
    noTimeoutBecause: SPEC_10,
  };
  await run.infra.killKafkaBroker(choice.nodeId);
  run.faultWindows.push(window);
  run.log(`  ${kind}: node ${choice.nodeId} killed (${led(run, choice)})`);
  return { choice, window };
}

/**
 * Waits until the live brokers lead every partition with at least min.insync.replicas in sync
 * (the controller has fenced the killed one); says after how long, counted from the kill.
 */
async function leadersElected(run: ChaosRun, killed: number, killedAt: number): Promise<string> {
  const minInSync = run.infra.kafkaMinInSyncReplicas;
  await eventually(
    `every partition led by a live broker with ${minInSync} replicas in sync`,
    async () => {
      const placement = await clusterPlacement(run);
      const problems = [
        ...partitionsWithoutLiveLeader(placement, [killed]),
        ...partitionsUnderReplicated(placement, () => minInSync),
      ];
      return problems.length === 0 || undefined;
    },
    { timeoutMs: ELECTION_DEADLINE_MS, intervalMs: 250 },
  );
  return `every partition led by a live broker, ${minInSync} replicas in sync, after ${seconds(Date.now() - killedAt)}`;
}

/** Waits until every partition has all its replicas in sync (a restarted broker has caught up). */
async function allInSync(run: ChaosRun, timeoutMs: number): Promise<void> {
  await eventually(
    'every replica of every partition in sync',
    async () =>
      partitionsUnderReplicated(await clusterPlacement(run), (p) => p.replicas.length).length === 0 ||
      undefined,
    { timeoutMs, intervalMs: 500 },
  );
}

/**
 * The run's topics (events and dead letters) and Kafka's committed offsets, whose partition
 * leaders are the consumer groups' coordinators: a broker loss must leave none of them behind.
 */
async function clusterPlacement(run: ChaosRun): Promise<PartitionPlacement[]> {
  const topics = [...(await run.kafka.eventTopics()), ...(await run.kafka.deadLetterTopics())];
  return run.infra.kafkaPlacement([...topics, '__consumer_offsets']);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
