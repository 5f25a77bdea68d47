/** One fault as it was injected: when (seconds into the load), how long it took, what came of it. */
export interface FaultRecord {
  name: string;
  atSeconds: number;
  tookSeconds: number;
  /** False when the fault could not be injected or the system did not come back from it. */
  ok: boolean;
  result: string;
}

/** One line of the verdict: an invariant of SPEC section 5 (`1`..`6`) or a client check (`C1`...). */
export interface CheckRow {
  id: string;
  title: string;
  held: boolean;
  detail: string;
}

export function faultTable(faults: readonly FaultRecord[]): string {
  return table(
    ['at', 'took', 'fault', 'result'],
    faults.map((f) => [
      `t+${f.atSeconds.toFixed(0)}s`,
      `${f.tookSeconds.toFixed(1)}s`,
      f.name,
      `${f.ok ? '' : 'FAILED: '}${f.result}`,
    ]),
  );
}

export function checkTable(checks: readonly CheckRow[]): string {
  return table(
    ['#', 'held', 'invariant', 'detail'],
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
