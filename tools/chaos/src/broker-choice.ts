import type { PartitionPlacement } from '@ecommerce/local-infra';

/** Records written to one partition so far (log end minus log start). */
export interface PartitionVolume {
  topic: string;
  partition: number;
  records: number;
}

/** The broker a broker-loss fault kills, and why it was chosen. */
export interface BrokerChoice {
  nodeId: number;
  /** Share of the records of the placement's partitions that sit in partitions it leads, 0..1. */
  ledShare: number;
  /** Per topic (busiest first), the partitions it leads: `orders 2/3`. Topics it leads none of are left out. */
  leads: { topic: string; led: number; partitions: number }[];
}

/**
 * The broker whose loss hurts the load most: the one leading the partitions that took the most
 * records so far (under a steady load, the busiest partitions now). Every producer and consumer of
 * those partitions must then find their new leader. A tie goes to the lowest node id, so a run is
 * reproducible from its placement. Throws when no partition has a leader (nothing to choose from).
 */
export function brokerToKill(
  placement: readonly PartitionPlacement[],
  volumes: readonly PartitionVolume[],
): BrokerChoice {
  const recordsOf = new Map(volumes.map((v) => [`${v.topic}/${v.partition}`, v.records]));
  const records = (p: PartitionPlacement) => recordsOf.get(`${p.topic}/${p.partition}`) ?? 0;
  const led = placement.filter((p) => p.leader >= 0);
  if (led.length === 0) throw new Error('no partition has a leader: no broker to choose');
  const recordsLedBy = new Map<number, number>();
  for (const p of led) recordsLedBy.set(p.leader, (recordsLedBy.get(p.leader) ?? 0) + records(p));
  const [nodeId, recordsLed] = [...recordsLedBy].sort(([a, x], [b, y]) => y - x || a - b)[0] ?? [-1, 0];
  const total = placement.reduce((sum, p) => sum + records(p), 0);

  const topicRecords = new Map<string, number>();
  for (const p of placement) topicRecords.set(p.topic, (topicRecords.get(p.topic) ?? 0) + records(p));
  const leads = [...topicRecords]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([topic]) => ({
      topic,
      led: placement.filter((p) => p.topic === topic && p.leader === nodeId).length,
      partitions: placement.filter((p) => p.topic === topic).length,
    }))
    .filter((lead) => lead.led > 0);
  return { nodeId, ledShare: total === 0 ? 0 : recordsLed / total, leads };
}

/** `orders 2/3, inventory 1/3` with the topic prefix left off. */
export function describeLeads(choice: BrokerChoice, topicPrefix: string): string {
  return choice.leads
    .map(({ topic, led, partitions }) => `${topic.replace(topicPrefix, '')} ${led}/${partitions}`)
    .join(', ');
}

/**
 * Partitions that still have no leader among the live nodes (leader -1, or a node that is down):
 * producers and consumers of those stall until the controller elects a new leader.
 */
export function partitionsWithoutLiveLeader(
  placement: readonly PartitionPlacement[],
  downNodes: readonly number[],
): PartitionPlacement[] {
  return placement.filter((p) => p.leader < 0 || downNodes.includes(p.leader));
}

/** Partitions whose in-sync replicas are fewer than `wanted` (all replicas, or min.insync.replicas). */
export function partitionsUnderReplicated(
  placement: readonly PartitionPlacement[],
  wanted: (p: PartitionPlacement) => number,
): PartitionPlacement[] {
  return placement.filter((p) => p.inSyncReplicas.length < wanted(p));
}
