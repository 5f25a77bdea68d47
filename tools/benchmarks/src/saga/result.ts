import type { ProfileSummary, ProfileWindow } from '../profile/summarize';
import type { Distribution } from '../stats';
import type { SagaBenchFlags } from './flags';
import type { ThreadCpuRate } from './thread-cpu';
import type { MeasuredOrders, SecondStats } from './order-samples';

export interface MachineDescription {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  postgres: string;
  /** synchronous_commit, fsync: they decide what a commit costs. */
  postgresDurability: string;
  node: string;
  /** 1-minute load average when the run started: how busy the machine was with other work. */
  loadAverageAtStart: number;
}

/** What one order costs the infrastructure, counted from the run's own databases. */
export interface OrderCost {
  /** Events written to the outboxes (and so produced to Kafka) per order. */
  eventsPerOrder: number;
  /** Transactions committed per order across the five databases (see costPerOrder). */
  commitsPerOrder: number;
  /** Of which: the POST's and one per event handled (each handler commits with an inbox row). */
  sagaCommitsPerOrder: number;
  /**
   * Of which: the relays' marks of published batches (one per batch, below one per event), each on
   * its own or in the relay's next read.
   */
  relayCommitsPerOrder: number;
  /** Events handled per order, by `consumer group <- event type`: where the saga transactions go. */
  handledPerOrder: Record<string, number>;
  /** Mean Avro payload of those events, bytes (the Kafka reference sends messages this big). */
  meanEventBytes: number;
}

/** Where the CPU went while the load ran (Linux /proc; NaN elsewhere). */
export interface CpuPerOrder {
  /** CPU ms per completed order: each service (all its instances), this run's PostgreSQL backends, the broker, the load generator. */
  msPerOrder: Record<string, number>;
  /**
   * System calls per completed order, same groups (/proc/<pid>/io): reads and writes, sockets
   * included, so a round trip saved or two statements sent in one write show here exactly, where
   * CPU time drifts with the machine.
   */
  systemCallsPerOrder: Record<string, { reads: number; writes: number }>;
  /**
   * CPU ms per second the same processes used idle, just before the load (polls, heartbeats,
   * fetch loops): a fixed cost that weighs on the per-order figure when few orders get through.
   */
  idleMsPerSecond: Record<string, number>;
  /** The same, for each service instance on its own (the fixed cost an instance adds). */
  idleMsPerSecondByInstance: Record<string, number[]>;
  /**
   * Per service, the mean instance's idle CPU ms per second by thread (`main`: the event loop and
   * the JavaScript; `libuv-worker`, `V8 DefaultWorke`...: Node's pools), user and kernel time apart.
   */
  idleMsPerSecondByThread: Record<string, Record<string, ThreadCpuRate>>;
  /** Shares of the whole machine's CPU time over the load (other work on the machine included). */
  machineBusy: number;
  machineIowait: number;
  machineSteal: number;
}

export interface PostgresReference {
  commitsPerSecond: number;
  clients: number;
  seconds: number;
}

export interface KafkaReference {
  messagesPerSecond: number;
  partitions: number;
  messageBytes: number;
  batchSize: number;
  messages: number;
}

/** An open loop after the closed one, at a share of the throughput the closed loop measured. */
export interface LightLoadResult {
  percentOfMaximum: number;
  ordersPerSecondOffered: number;
  /** Same warm-up and measured window as the closed loop; latency counts from each order's slot. */
  orders: MeasuredOrders;
  failures: { http: number; unfinished: number };
}

/** Where the services' CPU went, from `node --cpu-prof` (with `--profile`). */
export interface ProfileResult {
  /** The `.cpuprofile` files, one sub-folder per service process. */
  directory: string;
  /** On the monotonic clock of the profiles: the idle seconds before the load, the measured load. */
  windows: { idle: ProfileWindow; load: ProfileWindow };
  idle: ProfileSummary;
  load: ProfileSummary;
}

/** The figures issue 12's acceptance reads, taken from the rest of the result. */
export interface HeadlineFigures {
  /** Closed loop, measured window. */
  ordersPerSecond: number;
  ordersPerCommit: number;
  /** CPU ms per completed order of the five services together (all their instances). */
  servicesCpuMsPerOrder: number;
  /** Idle CPU ms per second of one service instance: the mean and the highest over all instances. */
  idleCpuMsPerSecondPerInstance: { mean: number; max: number };
  /** POST to terminal state at the light load (NaN without one). */
  lightLoadLatencyMs: { percentOfMaximum: number; p50: number; p95: number; p99: number };
}

export interface SagaBenchResult {
  benchmark: 'saga';
  startedAt: string;
  flags: Omit<SagaBenchFlags, 'resultsDir'>;
  machine: MachineDescription;
  /** The Kafka the run used: its nodes, the replication factor of the topics, whether it was the run's own (`--brokers`). */
  kafka: { nodes: number; replicationFactor: number; ownCluster: boolean };
  system: {
    orders: MeasuredOrders;
    /** Orders whose POST failed or that did not end before the deadline (over the whole run). */
    failures: { http: number; unfinished: number };
    /** Commit to published (broker acknowledged), from the outbox rows' timestamps, per service and all. */
    outboxCommitToPublishMs: Record<string, Distribution>;
    /** Highest `ecommerce_consumer_lag_messages` of any instance, sampled every second. */
    maxConsumerLag: number;
    /** Offset commits all consumer groups sent to Kafka during the load, per order placed. */
    offsetCommitsPerOrder: number;
    /**
     * Transactions each service's database ended during the load, per order placed: read-only ones
     * and single statements included (`pg_stat_database`), so the round trips that open and close
     * one, counted where CPU time drifts with the machine.
     */
    databaseTransactionsPerOrder: Record<string, number>;
    cost: OrderCost;
    cpu: CpuPerOrder;
  };
  reference: { postgres: PostgresReference; kafka: KafkaReference };
  ratios: {
    /** Orders per second over single-row commits per second. */
    ordersPerCommit: number;
    /** The commits the orders made per second over the commits PostgreSQL can make per second. */
    postgresCapacityUsed: number;
    /** The events the orders produced per second over what raw kafkajs moves per second. */
    kafkaCapacityUsed: number;
  };
  /** Absent with `--light-load 0`, with `--rate`, or when the closed loop completed nothing. */
  lightLoad?: LightLoadResult;
  /** With `--profile`. */
  profile?: ProfileResult;
  headline: HeadlineFigures;
  series: SecondStats[];
  /** Warnings met during the run (shared consumer groups, a system that never went quiet...). */
  warnings: string[];
}
