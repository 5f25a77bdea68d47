import type { PartitionPlacement } from '@ecommerce/local-infra';

import {
  brokerToKill,
  describeLeads,
  partitionsUnderReplicated,
  partitionsWithoutLiveLeader,
} from './broker-choice';

const at = (topic: string, partition: number, leader: number, isr = [1, 2, 3]): PartitionPlacement => ({
  topic,
  partition,
  leader,
  replicas: [1, 2, 3],
  inSyncReplicas: isr,
});

describe('choosing the broker a broker-loss fault kills', () => {
  it('when one broker leads the partitions that took the most records, then it is chosen', () => {
    const placement = [
      at('p.orders', 0, 1),
      at('p.orders', 1, 2),
      at('p.orders', 2, 3),
      at('p.payments', 0, 1),
      at('p.payments', 1, 2),
      at('p.payments', 2, 3),
    ];
    const volumes = [
      { topic: 'p.orders', partition: 0, records: 10 },
      { topic: 'p.orders', partition: 1, records: 500 },
      { topic: 'p.orders', partition: 2, records: 20 },
      { topic: 'p.payments', partition: 0, records: 300 },
      { topic: 'p.payments', partition: 1, records: 5 },
      { topic: 'p.payments', partition: 2, records: 5 },
    ];
    const choice = brokerToKill(placement, volumes);
    expect(choice.nodeId).toBe(2);
    expect(choice.ledShare).toBeCloseTo(505 / 840);
    // Busiest topic first; only topics it leads partitions of.
    expect(choice.leads).toEqual([
      { topic: 'p.orders', led: 1, partitions: 3 },
      { topic: 'p.payments', led: 1, partitions: 3 },
    ]);
    expect(describeLeads(choice, 'p.')).toBe('orders 1/3, payments 1/3');
  });

  it('when two brokers lead as many records, then the lower node id is chosen (reproducible)', () => {
    const placement = [at('t', 0, 3), at('t', 1, 2)];
    const volumes = [
      { topic: 't', partition: 0, records: 7 },
      { topic: 't', partition: 1, records: 7 },
    ];
    expect(brokerToKill(placement, volumes).nodeId).toBe(2);
  });

  it('when a broker leads more partitions but fewer records, then the busier one is chosen', () => {
    const placement = [at('t', 0, 1), at('t', 1, 1), at('t', 2, 3)];
    const volumes = [
      { topic: 't', partition: 0, records: 1 },
      { topic: 't', partition: 1, records: 1 },
      { topic: 't', partition: 2, records: 3 },
    ];
    expect(brokerToKill(placement, volumes).nodeId).toBe(3);
  });

  it('when no partition has a leader, then there is no broker to choose', () => {
    expect(() => brokerToKill([at('t', 0, -1)], [])).toThrow(/no partition has a leader/);
  });

  it('when a partition is led by a node that is down or by none, then it has no live leader', () => {
    const placement = [at('t', 0, 1), at('t', 1, 2), at('t', 2, -1)];
    expect(partitionsWithoutLiveLeader(placement, [2]).map((p) => p.partition)).toEqual([1, 2]);
    expect(partitionsWithoutLiveLeader(placement, [])).toHaveLength(1);
  });

  it('when a partition has fewer in-sync replicas than wanted, then it is under-replicated', () => {
    const placement = [at('t', 0, 1, [1, 3]), at('t', 1, 2), at('t', 2, 3, [3])];
    expect(partitionsUnderReplicated(placement, (p) => p.replicas.length).map((p) => p.partition)).toEqual([
      0, 2,
    ]);
    expect(partitionsUnderReplicated(placement, () => 2).map((p) => p.partition)).toEqual([2]);
  });
});
