import { distribution } from '../stats';
import { latencyChartSvg, niceCeiling, renderHtmlReport, summaryLines } from './report';
import type { SagaBenchResult } from './result';

const result: SagaBenchResult = {
  benchmark: 'saga',
  startedAt: '2026-01-01T00:00:00.000Z',
  flags: {
    durationSeconds: 2,
    warmupSeconds: 1,
    load: { kind: 'concurrency', concurrency: 4 },
    instances: 1,
    partitions: 3,
    lightLoadPercent: 25,
    profile: true,
    runFrom: 'bundle',
  },
  machine: {
    cpuModel: 'Test <CPU>',
    cores: 2,
    memoryGiB: 8,
    postgres: '15.0',
    postgresDurability: 'synchronous_commit=on, fsync=on',
    node: 'v24.0.0',
    loadAverageAtStart: 0.5,
  },
  kafka: { nodes: 3, replicationFactor: 3, ownCluster: true },
  system: {
    orders: {
      started: 20,
      completedInWindow: 20,
      ordersPerSecond: 10,
      confirmed: 19,
      cancelled: { PAYMENT_DECLINED: 1 },
      latencyMs: distribution([100, 200, 300]),
      acceptMs: distribution([5, 6, 7]),
    },
    failures: { http: 0, unfinished: 0 },
    outboxCommitToPublishMs: { all: distribution([2, 4]), order: distribution([2, 4]) },
    maxConsumerLag: 3,
    offsetCommitsPerOrder: 2.4,
    databaseTransactionsPerOrder: { order: 5.25, payment: 4 },
    cost: {
      eventsPerOrder: 7,
      commitsPerOrder: 15,
      sagaCommitsPerOrder: 11,
      relayCommitsPerOrder: 4,
      meanEventBytes: 195,
      handledPerOrder: { 'inventory-service <- OrderPlaced': 1 },
    },
    cpu: {
      msPerOrder: { order: 12.5, postgres: 3 },
      systemCallsPerOrder: { order: { reads: 41, writes: 38 }, postgres: { reads: 20, writes: 19 } },
      idleMsPerSecond: { order: 20 },
      idleMsPerSecondByInstance: { order: [20] },
      idleMsPerSecondByThread: {
        order: {
          main: { user: 12, system: 4 },
          'libuv-worker': { user: 0, system: 0.5 },
          'v8:ProfEvntProc': { user: 6, system: 2 },
        },
        payment: { main: { user: 8, system: 2 } },
      },
      machineBusy: 0.9,
      machineIowait: 0.01,
      machineSteal: 0.05,
    },
  },
  reference: {
    postgres: { commitsPerSecond: 2_000, clients: 8, seconds: 10 },
    kafka: { messagesPerSecond: 20_000, partitions: 3, messageBytes: 195, batchSize: 500, messages: 200_000 },
  },
  ratios: { ordersPerCommit: 0.005, postgresCapacityUsed: 0.075, kafkaCapacityUsed: 0.004 },
  lightLoad: {
    percentOfMaximum: 25,
    ordersPerSecondOffered: 2.5,
    orders: {
      started: 5,
      completedInWindow: 5,
      ordersPerSecond: 2.5,
      confirmed: 5,
      cancelled: {},
      latencyMs: distribution([40, 50, 90]),
      acceptMs: distribution([3, 4]),
    },
    failures: { http: 0, unfinished: 0 },
  },
  profile: {
    directory: '/results/saga-profiles',
    windows: {
      idle: { fromMicros: 0, toMicros: 5_000_000 },
      load: { fromMicros: 6_000_000, toMicros: 8_000_000 },
    },
    load: {
      order: {
        processes: 1,
        samples: 2_000,
        busySamples: 1_000,
        garbageCollector: 0.05,
        program: 0.04,
        unattributed: 0.01,
        components: [{ component: 'Prisma client', inclusive: 0.4, self: 0.15 }],
        topSelf: [{ functionName: 'writev', file: '(native)', line: 0, self: 0.06 }],
      },
    },
    idle: {},
  },
  headline: {
    ordersPerSecond: 10,
    ordersPerCommit: 0.005,
    servicesCpuMsPerOrder: 12.5,
    idleCpuMsPerSecondPerInstance: { mean: 20, max: 20 },
    lightLoadLatencyMs: { percentOfMaximum: 25, p50: 50, p95: 90, p99: 90 },
  },
  series: [
    { second: 0, completed: 8, p50: 150, p99: 290, maxLag: 1 },
    { second: 1, completed: 0, p50: NaN, p99: NaN, maxLag: 0 },
    { second: 2, completed: 12, p50: 210, p99: 420, maxLag: 3 },
  ],
  warnings: ['a <warning>'],
};

describe('saga benchmark report', () => {
  it('when printed, then the summary gives each figure with its ratio to the references', () => {
    const text = summaryLines(result).join('\n');
    expect(text).toContain('10.0 orders/s');
    expect(text).toContain("3 partitions, Kafka: 3 node(s), replication factor 3 (the run's own)");
    expect(text).toContain('POST to terminal state:  p50 200 ms, p95 300 ms, p99 300 ms, max 300 ms (n=3)');
    expect(text).toContain(
      'one order costs:         15.0 commits (11.0 saga transactions + 4.0 relay marks)',
    );
    expect(text).toContain('the saga uses 7.5 % of the commit rate and 0.4 % of the Kafka rate');
    expect(text).toContain(
      'CPU per order:           order 12.5 ms, postgres 3.0 ms; machine busy 90.0 %, iowait 1.0 %, steal 5.0 %',
    );
    expect(text).toContain(
      'system calls per order:  order 41 reads, 38 writes, postgres 20 reads, 19 writes',
    );
    expect(text).toContain(
      'database transactions:   9.3 per order (order 5.3, payment 4.0; read-only ones included)',
    );
    expect(text).toContain('CPU while idle:          order 20.0 ms/s');
    expect(text).toContain(
      'idle CPU by thread:      per service instance, user + kernel ms/s: main 10.0 + 3.0, v8:ProfEvntProc 3.0 + 1.0, libuv-worker 0.0 + 0.3',
    );
    expect(text).toContain('warning: a <warning>');
  });

  it('when there was a light load, then its latency and the headline figures are printed', () => {
    const lines = summaryLines(result);
    expect(lines).toContain(
      'at 25 % load (open):    2.5 orders/s offered, 2.5 completed; POST to terminal state p50 50 ms, p95 90 ms, p99 90 ms, max 90 ms (n=3); 0 POST errors, 0 without an outcome',
    );
    expect(lines).toContain(
      "headline:                10.0 orders/s, orders/commit 0.0050, services' CPU per order 13 ms, idle CPU per service instance 20.0 ms/s (highest 20.0; 4.0 ms/s of it is V8's profiler thread)",
    );
    expect(lines).toContain(
      '                         POST to terminal at 25 % load: p50 50 ms, p95 90 ms, p99 90 ms',
    );
  });

  it('when the services were profiled, then the load profile is printed per service', () => {
    const lines = summaryLines(result);
    expect(lines).toContain('  inclusive (self): Prisma client 40 % (15 %)');
    expect(lines).toContain('  self  6.0 %  writev  (native)');
    expect(lines).toContain('profiles: /results/saga-profiles');
    const unprofiled = summaryLines({ ...result, profile: undefined }).join('\n');
    expect(unprofiled).not.toContain('CPU profile');
  });

  it('when rendered as HTML, then it embeds the chart and escapes what it quotes', () => {
    const html = renderHtmlReport(result);
    expect(html).toContain('<svg');
    expect(html).toContain('Test &lt;CPU&gt;');
    expect(html).toContain('<td>inventory-service &lt;- OrderPlaced</td><td>1.00</td>');
    expect(html).not.toContain('a <warning>');
  });

  it('when a second has no completions, then the latency lines break there instead of bridging it', () => {
    const svg = latencyChartSvg(result.series, 1);
    const paths = [...svg.matchAll(/<path d="([^"]*)"/g)].map((match) => match[1] ?? '');
    expect(paths).toHaveLength(2);
    for (const d of paths) expect(d.match(/M/g)).toHaveLength(2);
    // One throughput bar per second, scaled to a round axis (20 orders/s for a peak of 12).
    expect(svg.match(/<title>\d+ s: \d+ orders<\/title>/g)).toHaveLength(3);
    expect(svg).toContain('>20</text>');
  });

  it.each([
    [0, 1],
    [3, 5],
    [12, 20],
    [420, 500],
    [1_000, 1_000],
  ])('when the largest value is %d, then the axis ends at %d', (value, bound) => {
    expect(niceCeiling(value)).toBe(bound);
  });
});
