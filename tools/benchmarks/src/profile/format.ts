import type { ProfileSummary } from './summarize';

const percent = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;

export interface ProfileLinesOptions {
  /** Components below this inclusive share are left out of the printed lines (default 1 %). */
  minimumShare?: number;
  /** Functions listed by self time (default 5). */
  functions?: number;
}

/**
 * A few lines per service: components by inclusive share (self share in brackets), the states
 * with no JavaScript stack, and the functions with the most self time.
 */
export function profileSummaryLines(
  summary: ProfileSummary,
  { minimumShare = 0.01, functions = 5 }: ProfileLinesOptions = {},
): string[] {
  return Object.entries(summary).flatMap(([service, s]) => {
    const components = s.components
      .filter((c) => c.inclusive >= minimumShare)
      .map((c) => `${c.component} ${percent(c.inclusive)} (${percent(c.self)})`);
    return [
      `${service}: ${s.processes} process${s.processes === 1 ? '' : 'es'}, ${s.busySamples} busy samples of ${s.samples}`,
      `  inclusive (self): ${components.join(', ') || '-'}`,
      `  no component: GC ${percent(s.garbageCollector)}, (program) ${percent(s.program)}, Node.js alone ${percent(s.unattributed)}`,
      ...s.topSelf
        .slice(0, functions)
        .map(
          (f) =>
            `  self ${percent(f.self).padStart(6)}  ${f.functionName}  ${f.file}${f.line > 0 ? `:${f.line}` : ''}`,
        ),
    ];
  });
}
