import type { Finding, OrdersSummary } from './findings';
import { total } from './findings';
import type { StallFigures } from './stall';

/**
 * The kinds of fault a run injects, each with what it does. `stock-adjustment` is not a fault but a
 * legitimate change under load (SPEC 5.2's adjustments), logged with them so its moment is known.
 */
export const FAULT_KINDS = {
  'kill-9': 'an instance killed with SIGKILL, restarted in the background',
  'kafka-broker-restart': 'the Kafka broker stopped, then started again with its data',
  'kafka-broker-crash':
    'the broker leading the busiest partitions of three killed with SIGKILL, then started again with its data',
  'kafka-broker-lost':
    'the broker leading the busiest partitions of three killed with SIGKILL for the rest of the run',
  'postgres-crash': 'PostgreSQL stopped without a checkpoint, restarted with WAL recovery',
  'duplicate-deliveries': 'delivered records produced again, same bytes and headers',
  'poison-message': 'an undecodable record on orders',
  'kafka-unreachable-at-first-publish':
    'the standby relay takes the lead while its Kafka route refuses connections; then Kafka is back',
  'smtp-slower-than-transaction': 'the SMTP server accepts each mail only after the transaction timeout',
  'registry-hangs': 'the registry route accepts and answers nothing while consumers need a schema',
  'dead-letter-replay-after-cancel': 'a dead-lettered OrderPlaced replayed after its order was cancelled',
  'oversized-event': 'an outbox row larger than the broker accepts, between normal rows',
  'relay-leader-db-blackholed': "the outbox relay leader's route to PostgreSQL goes silent",
  'dependency-latency': 'added latency on every route to a dependency',
  'connections-reset': 'every connection on every route to a dependency reset at once',
  'stock-adjustment': '(not a fault) stock added to every sku under load',
} as const;

export type FaultKind = keyof typeof FAULT_KINDS;

/** One fault as it was injected: when (seconds into the load), how long it took, what came of it. */
export interface FaultRecord {
  kind: FaultKind;
  /** The instance, service or dependency it hit. */
  target: string;
  atSeconds: number;
  tookSeconds: number;
  /** False when the fault could not be injected or the system did not come back from it. */
  ok: boolean;
  detail: string;
}

/** One line of the verdict: an invariant of SPEC section 5 (`1`..`6`) or another check (`C1`, `F...`). */
export interface CheckRow {
  id: string;
  title: string;
  held: boolean;
  detail: string;
}

/** `tools/chaos/results/<run>/report.json`. */
export interface ChaosReport {
  profile: string;
  run: string;
  startedAt: string;
  faults: { kind: FaultKind; target: string; at: number; took: number; ok: boolean; detail: string }[];
  /** The fault kinds injected, `stock-adjustment` aside. */
  distinctFaultKinds: number;
  /** The six invariants of SPEC section 5. */
  invariants: { id: string; title: string; held: boolean; detail: string }[];
  /** What the clients were promised, and each fault's own outcome. */
  checks: { id: string; title: string; held: boolean; detail: string }[];
  orders: OrdersSummary;
  /** How long orders waited for their outcome while a broker was down, per such fault. */
  stalls: StallFigures[];
  /** Events, orders or mails lost: never delivered, applied, consumed or sent. */
  lost: number;
  /** Effects applied twice: a second reservation, charge or mail for one order. */
  doubleEffects: number;
  findings: { lost: Finding[]; doubleEffects: Finding[] };
  /** At most this share of orders may end TIMEOUT. */
  maxTimeoutShare: number;
  passed: boolean;
}

export function buildReport(parts: {
  profile: string;
  run: string;
  startedAt: Date;
  faults: readonly FaultRecord[];
  invariants: readonly CheckRow[];
  checks: readonly CheckRow[];
  orders: OrdersSummary;
  stalls?: readonly StallFigures[];
  lost: readonly Finding[];
  doubleEffects: readonly Finding[];
  maxTimeoutShare: number;
}): ChaosReport {
  const lost = total(parts.lost);
  const doubleEffects = total(parts.doubleEffects);
  const passed =
    parts.faults.every((fault) => fault.ok) &&
    [...parts.invariants, ...parts.checks].every((check) => check.held) &&
    lost === 0 &&
    doubleEffects === 0 &&
    parts.orders.timedOut.share <= parts.maxTimeoutShare;
  return {
    profile: parts.profile,
    run: parts.run,
    startedAt: parts.startedAt.toISOString(),
    faults: parts.faults.map((fault) => ({
      kind: fault.kind,
      target: fault.target,
      at: round(fault.atSeconds),
      took: round(fault.tookSeconds),
      ok: fault.ok,
      detail: fault.detail,
    })),
    distinctFaultKinds: distinctFaultKinds(parts.faults),
    invariants: parts.invariants.map(({ id, title, held, detail }) => ({ id, title, held, detail })),
    checks: parts.checks.map(({ id, title, held, detail }) => ({ id, title, held, detail })),
    orders: parts.orders,
    stalls: [...(parts.stalls ?? [])],
    lost,
    doubleEffects,
    findings: { lost: [...parts.lost], doubleEffects: [...parts.doubleEffects] },
    maxTimeoutShare: parts.maxTimeoutShare,
    passed,
  };
}

export function distinctFaultKinds(faults: readonly { kind: FaultKind }[]): number {
  return new Set(faults.map((fault) => fault.kind).filter((kind) => kind !== 'stock-adjustment')).size;
}

/** The report as the tables the run prints: the same content as report.json. */
export function reportTables(report: ChaosReport): string {
  const { orders } = report;
  const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
  const sections = [
    `Faults injected (${report.profile} run, ${report.distinctFaultKinds} distinct kinds, t = seconds since the load started)`,
    table(
      ['at', 'took', 'kind', 'target', 'result'],
      report.faults.map((f) => [
        `t+${f.at.toFixed(0)}s`,
        `${f.took.toFixed(1)}s`,
        f.kind,
        f.target,
        `${f.ok ? '' : 'FAILED: '}${f.detail}`,
      ]),
    ),
    '',
    'Orders',
    table(
      ['placed', 'confirmed', 'cancelled', 'pending', 'by reason', 'TIMEOUT', 'TIMEOUT of happy-path orders'],
      [
        [
          String(orders.placed),
          String(orders.confirmed),
          String(orders.cancelled),
          String(orders.pending),
          Object.entries(orders.byReason)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([reason, n]) => `${reason} ${n}`)
            .join(', '),
          orders.timedOut.whileSagaStopped === 0
            ? `${orders.timedOut.count} (${percent(orders.timedOut.share)}, at most ${percent(report.maxTimeoutShare)})`
            : `${orders.timedOut.count}: ${orders.timedOut.whileSagaStopped} in flight while the only broker was down (see Stalls), the others ${percent(orders.timedOut.share)} (at most ${percent(report.maxTimeoutShare)})`,
          String(orders.timedOut.happyPath),
        ],
      ],
    ),
    ...(report.stalls.length === 0
      ? []
      : [
          '',
          'Stalls while a broker was down (POST to CONFIRMED or CANCELLED of the orders in flight)',
          table(
            [
              'fault',
              'window',
              'in flight',
              'longest',
              'nothing settled',
              'resumed after it',
              'TIMEOUT',
              'undisturbed: p50 / p99',
            ],
            report.stalls.map((stall) => [
              `${stall.kind} (${stall.target})`,
              `t+${stall.fromSeconds.toFixed(0)}s to t+${stall.toSeconds.toFixed(0)}s`,
              String(stall.inFlight),
              `${seconds(stall.longestMs)}${stall.longestSentAtSeconds === undefined ? '' : ` (sent t+${stall.longestSentAtSeconds.toFixed(0)}s)`}`,
              seconds(stall.nothingSettledMs),
              seconds(stall.resumedAfterMs),
              `${stall.timedOut} (${stall.timedOutHappyPath} happy-path)`,
              `${seconds(stall.undisturbed.p50Ms)} / ${seconds(stall.undisturbed.p99Ms)}`,
            ]),
          ),
        ]),
    '',
    'Invariants (SPEC section 5)',
    checkTable(report.invariants),
    '',
    'Client guarantees and faults',
    checkTable(report.checks),
    '',
    `Lost: ${report.lost}`,
    ...findingLines(report.findings.lost),
    `Double effects: ${report.doubleEffects}`,
    ...findingLines(report.findings.doubleEffects),
  ];
  return sections.join('\n');
}

/**
 * What made a run fail, one line each: the failed faults, invariants and checks, the lost and double
 * effects. Printed last, after the services' error lines, because CI keeps only the end of a log.
 */
export function whatFailed(report: ChaosReport): string[] {
  return [
    ...report.faults
      .filter((f) => !f.ok)
      .map((f) => `fault ${f.kind} (${f.target}) at t+${f.at.toFixed(0)}s FAILED: ${f.detail}`),
    ...[...report.invariants, ...report.checks]
      .filter((c) => !c.held)
      .map((c) => `${c.id} did not hold: ${c.title}: ${c.detail}`),
    ...(report.lost === 0 ? [] : [`lost: ${report.lost}`, ...findingLines(report.findings.lost)]),
    ...(report.doubleEffects === 0
      ? []
      : [`double effects: ${report.doubleEffects}`, ...findingLines(report.findings.doubleEffects)]),
  ];
}

function findingLines(findings: readonly Finding[]): string[] {
  const shown = findings.slice(0, 10).map((f) => `  ${f.count}  ${f.what}`);
  return findings.length > shown.length
    ? [...shown, `  (and ${findings.length - shown.length} more)`]
    : shown;
}

/**
 * The verdict of a fault's own check: it held if the fault tested something (`untested` says why
 * not) and found no violation. Shows the first violations and how many there were.
 */
export function faultCheck(
  id: string,
  title: string,
  outcome: { untested?: string; violations: readonly string[]; checked: string },
): CheckRow {
  if (outcome.untested !== undefined) {
    return { id, title, held: false, detail: `${outcome.untested}: nothing was tested` };
  }
  const { violations } = outcome;
  if (violations.length === 0) return { id, title, held: true, detail: outcome.checked };
  const more = violations.length > 3 ? ` (and ${violations.length - 3} more)` : '';
  return { id, title, held: false, detail: `${violations.slice(0, 3).join('; ')}${more}` };
}

export function checkTable(checks: readonly CheckRow[]): string {
  return table(
    ['#', 'held', 'check', 'detail'],
    checks.map((c) => [c.id, c.held ? 'yes' : 'NO', c.title, c.detail]),
  );
}

/** A plain-text table: columns padded to their widest cell, the last one left free. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
    .map((l) => `  ${l}`)
    .join('\n');
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
