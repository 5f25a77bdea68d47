import { profileSummaryLines } from '../profile/format';
import type { Distribution } from '../stats';
import type { SecondStats } from './order-samples';
import type { SagaBenchResult } from './result';
import { meanThreadCpu } from './thread-cpu';

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 1 : 0)} ms` : '-');
const num = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const percent = (ratio: number) => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)} %` : '-');
const latencies = (d: Distribution) =>
  `p50 ${ms(d.p50)}, p95 ${ms(d.p95)}, p99 ${ms(d.p99)}, max ${ms(d.max)} (n=${d.count})`;

function loadDescription(result: SagaBenchResult): string {
  const { load, durationSeconds, warmupSeconds, instances, partitions } = result.flags;
  const shape =
    load.kind === 'concurrency'
      ? `${load.concurrency} orders in flight (closed loop)`
      : `${load.ordersPerSecond} orders/s offered (open loop)`;
  const profiled = result.flags.profile ? ', services under node --cpu-prof' : '';
  const runFrom =
    result.flags.runFrom === 'source' ? 'services from source (tsx)' : 'services from their bundles';
  const { nodes, replicationFactor, ownCluster } = result.kafka;
  const kafka = `Kafka: ${nodes} node(s), replication factor ${replicationFactor}${ownCluster ? " (the run's own)" : ''}`;
  return `${shape}, ${durationSeconds} s measured after ${warmupSeconds} s warm-up, ${instances} instance(s) per service, ${partitions} partitions, ${kafka}, ${runFrom}${profiled}`;
}

function lightLoadLine(result: SagaBenchResult): string {
  const light = result.lightLoad;
  if (!light) return `at light load:           - (none measured)`;
  const { orders, failures } = light;
  return `at ${light.percentOfMaximum} % load (open):    ${num(light.ordersPerSecondOffered, 1)} orders/s offered, ${num(orders.ordersPerSecond, 1)} completed; POST to terminal state ${latencies(orders.latencyMs)}; ${failures.http} POST errors, ${failures.unfinished} without an outcome`;
}

/** The mean service instance's idle CPU by thread, over all services: the busiest kinds of thread. */
function idleThreadsLine(result: SagaBenchResult): string {
  const perService = Object.values(result.system.cpu.idleMsPerSecondByThread);
  const threads = Object.entries(meanThreadCpu(perService))
    .sort(([, a], [, b]) => b.user + b.system - (a.user + a.system))
    .slice(0, 5)
    .map(([name, { user, system }]) => `${name} ${num(user, 1)} + ${num(system, 1)}`);
  return `idle CPU by thread:      per service instance, user + kernel ms/s: ${threads.join(', ') || '-'}`;
}

/** V8's CPU profiler samples on a thread of its own: present only in a profiled run. */
const PROFILER_THREAD = 'v8:ProfEvntProc';

/** Issue 12's acceptance figures on two lines. */
function headlineLines(result: SagaBenchResult): string[] {
  const h = result.headline;
  const idle = h.idleCpuMsPerSecondPerInstance;
  const light = h.lightLoadLatencyMs;
  const profiler = meanThreadCpu(Object.values(result.system.cpu.idleMsPerSecondByThread))[PROFILER_THREAD];
  const profilerShare = profiler
    ? `; ${num(profiler.user + profiler.system, 1)} ms/s of it is V8's profiler thread`
    : '';
  return [
    `headline:                ${num(h.ordersPerSecond, 1)} orders/s, orders/commit ${num(h.ordersPerCommit, 4)}, services' CPU per order ${ms(h.servicesCpuMsPerOrder)}, idle CPU per service instance ${num(idle.mean, 1)} ms/s (highest ${num(idle.max, 1)}${profilerShare})`,
    `                         POST to terminal at ${num(light.percentOfMaximum)} % load: p50 ${ms(light.p50)}, p95 ${ms(light.p95)}, p99 ${ms(light.p99)}`,
  ];
}

function profileLines(result: SagaBenchResult): string[] {
  const profile = result.profile;
  if (!profile) return [];
  return [
    '',
    `CPU profile, measured load: share of each service's busy samples, inclusive (self in brackets)`,
    ...profileSummaryLines(profile.load),
    '',
    `CPU profile, idle (the seconds before the load): the same`,
    ...profileSummaryLines(profile.idle, { functions: 3 }),
    `profiles: ${profile.directory}`,
  ];
}

/** The lines printed at the end of a run (and the heart of the HTML report). */
export function summaryLines(result: SagaBenchResult): string[] {
  const { orders, failures, outboxCommitToPublishMs, maxConsumerLag, offsetCommitsPerOrder, cost } =
    result.system;
  const { postgres, kafka } = result.reference;
  const cancelled = Object.entries(orders.cancelled)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const outbox = outboxCommitToPublishMs['all'];
  return [
    `saga benchmark: ${loadDescription(result)}`,
    `machine: ${result.machine.cores} cores (${result.machine.cpuModel}), ${num(result.machine.memoryGiB)} GiB, load average ${num(result.machine.loadAverageAtStart, 2)} at start`,
    `orders completed:        ${num(orders.ordersPerSecond, 1)} orders/s (${orders.completedInWindow} ended in the window; ${orders.confirmed} confirmed, cancelled: ${cancelled || 'none'})`,
    `POST to terminal state:  ${latencies(orders.latencyMs)}`,
    `POST to 202:             ${latencies(orders.acceptMs)}`,
    lightLoadLine(result),
    `outbox commit->publish:  ${outbox ? latencies(outbox) : '-'}`,
    `max consumer lag:        ${maxConsumerLag} messages`,
    `offset commits:          ${num(offsetCommitsPerOrder, 1)} per order (all consumer groups, to Kafka)`,
    `failures:                ${failures.http} POST errors, ${failures.unfinished} orders without an outcome`,
    `CPU per order:           ${Object.entries(result.system.cpu.msPerOrder)
      .map(([group, value]) => `${group} ${num(value, 1)} ms`)
      .join(
        ', ',
      )}; machine busy ${percent(result.system.cpu.machineBusy)}, iowait ${percent(result.system.cpu.machineIowait)}, steal ${percent(result.system.cpu.machineSteal)}`,
    `system calls per order:  ${Object.entries(result.system.cpu.systemCallsPerOrder)
      .map(([group, { reads, writes }]) => `${group} ${num(reads)} reads, ${num(writes)} writes`)
      .join(', ')}`,
    databaseTransactionsLine(result),
    `CPU while idle:          ${Object.entries(result.system.cpu.idleMsPerSecond)
      .map(([group, value]) => `${group} ${num(value, 1)} ms/s`)
      .join(', ')}`,
    idleThreadsLine(result),
    `one order costs:         ${num(cost.commitsPerOrder, 1)} commits (${num(cost.sagaCommitsPerOrder, 1)} saga transactions + ${num(cost.relayCommitsPerOrder, 1)} relay marks) and ${num(cost.eventsPerOrder, 1)} events of ${num(cost.meanEventBytes)} bytes`,
    `PostgreSQL reference:    ${num(postgres.commitsPerSecond)} single-row commits/s (pgbench, ${postgres.clients} clients, ${postgres.seconds} s)`,
    `Kafka reference:         ${num(kafka.messagesPerSecond)} messages/s produce-to-consume (kafkajs idempotent, acks=all, ${kafka.partitions} partitions, ${kafka.messageBytes} B, batches of ${kafka.batchSize})`,
    `ratios:                  orders/s : commits/s = ${num(result.ratios.ordersPerCommit, 4)}; the saga uses ${percent(result.ratios.postgresCapacityUsed)} of the commit rate and ${percent(result.ratios.kafkaCapacityUsed)} of the Kafka rate`,
    ...headlineLines(result),
    ...profileLines(result),
    ...result.warnings.map((warning) => `warning: ${warning}`),
  ];
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten, at least `value`. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((bound) => bound >= value) ?? 10 * power;
}

/**
 * Per second of the run: p50 and p99 of POST-to-terminal latency (lines, left axis) and orders
 * completed (bars, right axis); the warm-up is shaded. Plain SVG, so the report needs no script.
 */
export function latencyChartSvg(series: readonly SecondStats[], warmupSeconds: number): string {
  const width = 900;
  const height = 340;
  const margin = { top: 20, right: 70, bottom: 40, left: 70 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const seconds = Math.max(series.length, 1);
  const latencyMax = niceCeiling(Math.max(0, ...series.map((s) => s.p99).filter(Number.isFinite)));
  const rateMax = niceCeiling(Math.max(0, ...series.map((s) => s.completed)));
  const x = (second: number) => margin.left + (second / seconds) * plotWidth;
  const yLatency = (value: number) => margin.top + plotHeight - (value / latencyMax) * plotHeight;
  const yRate = (value: number) => margin.top + plotHeight - (value / rateMax) * plotHeight;
  const barWidth = Math.max(1, plotWidth / seconds - 1);

  // A second without completions breaks the line rather than drawing through it.
  const line = (pick: (s: SecondStats) => number) =>
    series
      .map((s, i) => {
        const value = pick(s);
        if (!Number.isFinite(value)) return '';
        const previous = series[i - 1];
        const command = previous && Number.isFinite(pick(previous)) ? 'L' : 'M';
        return `${command}${x(s.second + 0.5).toFixed(1)},${yLatency(value).toFixed(1)}`;
      })
      .join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const tickStep = Math.max(1, Math.ceil(seconds / 10 / 5) * 5);
  const xTicks = Array.from({ length: Math.floor(seconds / tickStep) + 1 }, (_, i) => i * tickStep);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect x="${margin.left}" y="${margin.top}" width="${(x(Math.min(warmupSeconds, seconds)) - margin.left).toFixed(1)}" height="${plotHeight}" fill="#eee"><title>warm-up (not measured)</title></rect>`,
    ...series.map(
      (s) =>
        `<rect x="${x(s.second).toFixed(1)}" y="${yRate(s.completed).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(margin.top + plotHeight - yRate(s.completed)).toFixed(1)}" fill="#cfe3c6"><title>${s.second} s: ${s.completed} orders</title></rect>`,
    ),
    `<path d="${line((s) => s.p99)}" fill="none" stroke="#c0392b" stroke-width="1.5"/>`,
    `<path d="${line((s) => s.p50)}" fill="none" stroke="#2c6fbb" stroke-width="1.5"/>`,
    `<line x1="${margin.left}" y1="${margin.top + plotHeight}" x2="${margin.left + plotWidth}" y2="${margin.top + plotHeight}" stroke="#333"/>`,
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotHeight}" stroke="#333"/>`,
    `<line x1="${margin.left + plotWidth}" y1="${margin.top}" x2="${margin.left + plotWidth}" y2="${margin.top + plotHeight}" stroke="#333"/>`,
    ...ticks.map(
      (t) =>
        `<text x="${margin.left - 6}" y="${(yLatency(t * latencyMax) + 4).toFixed(1)}" text-anchor="end">${num(t * latencyMax)}</text>` +
        `<text x="${margin.left + plotWidth + 6}" y="${(yRate(t * rateMax) + 4).toFixed(1)}">${num(t * rateMax)}</text>`,
    ),
    ...xTicks.map(
      (second) =>
        `<text x="${x(second).toFixed(1)}" y="${margin.top + plotHeight + 16}" text-anchor="middle">${second}</text>`,
    ),
    `<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle">seconds since the load started</text>`,
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">latency, POST to terminal state (ms)</text>`,
    `<text transform="translate(${width - 12} ${margin.top + plotHeight / 2}) rotate(90)" text-anchor="middle">orders completed per second</text>`,
    `<text x="${margin.left + 8}" y="${margin.top + 14}" fill="#c0392b">p99</text>`,
    `<text x="${margin.left + 40}" y="${margin.top + 14}" fill="#2c6fbb">p50</text>`,
    `<text x="${margin.left + 72}" y="${margin.top + 14}" fill="#5a8f4e">orders/s</text>`,
    `</svg>`,
  ].join('\n');
}

/** A self-contained page: the summary, the chart, the per-service outbox latencies, the raw JSON. */
export function renderHtmlReport(result: SagaBenchResult): string {
  const outboxRows = Object.entries(result.system.outboxCommitToPublishMs)
    .map(
      ([service, d]) =>
        `<tr><td>${escapeHtml(service)}</td><td>${d.count}</td><td>${ms(d.p50)}</td><td>${ms(d.p95)}</td><td>${ms(d.p99)}</td><td>${ms(d.max)}</td></tr>`,
    )
    .join('\n');
  const handledRows = Object.entries(result.system.cost.handledPerOrder)
    .map(([handler, perOrder]) => `<tr><td>${escapeHtml(handler)}</td><td>${num(perOrder, 2)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Saga benchmark ${escapeHtml(result.startedAt)}</title>
<style>
body { font-family: sans-serif; margin: 2em; max-width: 960px; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
</style>
</head>
<body>
<h1>Saga benchmark</h1>
<p>${escapeHtml(result.startedAt)}: ${escapeHtml(loadDescription(result))}.</p>
<pre>${escapeHtml(summaryLines(result).join('\n'))}</pre>
<h2>Latency and throughput over time</h2>
${latencyChartSvg(result.series, result.flags.warmupSeconds)}
<h2>Outbox commit to publish</h2>
<table><tr><th>service</th><th>events</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>
${outboxRows}
</table>
<h2>Transactions per order</h2>
<p>One for the POST, one per event handled (with its inbox row), plus the relays' batched marks.</p>
<table><tr><th>consumer group &lt;- event</th><th>per order</th></tr>
${handledRows}
</table>
<h2>Result</h2>
<pre>${escapeHtml(JSON.stringify(result, null, 2))}</pre>
</body>
</html>
`;
}

function databaseTransactionsLine(result: SagaBenchResult): string {
  const perService = Object.entries(result.system.databaseTransactionsPerOrder);
  const all = perService.reduce((sum, [, value]) => sum + value, 0);
  return `database transactions:   ${num(all, 1)} per order (${perService
    .map(([service, value]) => `${service} ${num(value, 1)}`)
    .join(', ')}; read-only ones included)`;
}
