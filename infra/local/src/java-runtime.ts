import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { findExecutableOnPath } from './executable-on-path';

const execFileAsync = promisify(execFile);

export interface JavaRuntime {
  readonly javaPath: string;
  /** Feature release: 17 for "17.0.15", 8 for "1.8.0_392". */
  readonly major: number;
  readonly version: string;
}

/** Where a candidate came from: the user's explicit choice (PATH, JAVA_HOME) or an installed JDK. */
type JavaSource = 'chosen' | 'installed';

/** What probing one candidate gave: a runtime, or why it is unusable (shown when nothing fits). */
export type JavaProbe = { readonly javaPath: string; readonly source: JavaSource } & (
  { readonly runtime: JavaRuntime } | { readonly problem: string }
);

/** Parses `java -version` output, e.g. `openjdk version "17.0.15" 2025-04-15` or `java version "1.8.0_392"`. */
export function parseJavaVersion(output: string): { major: number; version: string } | undefined {
  const version = /version "([^"]+)"/.exec(output)?.[1];
  if (version === undefined) return undefined;
  const parts = version.split(/[._+-]/);
  const first = Number(parts[0]);
  const major = first === 1 ? Number(parts[1]) : first;
  return Number.isInteger(major) && major > 0 ? { major, version } : undefined;
}

/** Candidate `java` binaries: the one on PATH and JAVA_HOME's (the user's choice), then installed JDKs. */
function javaCandidates(env: NodeJS.ProcessEnv): Array<{ javaPath: string; source: JavaSource }> {
  const candidates: Array<{ javaPath: string; source: JavaSource }> = [];
  const onPath = findExecutableOnPath('java', env['PATH']);
  if (onPath !== undefined) candidates.push({ javaPath: onPath, source: 'chosen' });
  const javaHome = env['JAVA_HOME'];
  if (javaHome !== undefined && javaHome !== '') {
    candidates.push({ javaPath: path.join(javaHome, 'bin', 'java'), source: 'chosen' });
  }
  const installRoots: Array<{ root: string; binSuffix: string[] }> = [
    { root: '/usr/lib/jvm', binSuffix: ['bin', 'java'] },
    { root: '/Library/Java/JavaVirtualMachines', binSuffix: ['Contents', 'Home', 'bin', 'java'] },
  ];
  for (const { root, binSuffix } of installRoots) {
    if (!fs.existsSync(root)) continue;
    for (const entry of fs.readdirSync(root).sort()) {
      candidates.push({ javaPath: path.join(root, entry, ...binSuffix), source: 'installed' });
    }
  }
  // Distro layouts link the same JDK under several names; probe each real binary once.
  const seen = new Set<string>();
  return candidates.filter(({ javaPath }) => {
    if (!fs.existsSync(javaPath)) return false;
    const real = fs.realpathSync(javaPath);
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

async function probeJava({ javaPath, source }: { javaPath: string; source: JavaSource }): Promise<JavaProbe> {
  try {
    // `java -version` writes to stderr.
    const { stdout, stderr } = await execFileAsync(javaPath, ['-version'], { timeout: 20_000 });
    const parsed = parseJavaVersion(`${stderr}\n${stdout}`);
    if (parsed === undefined) return { javaPath, source, problem: 'unrecognised `java -version` output' };
    return { javaPath, source, runtime: { javaPath, ...parsed } };
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    return { javaPath, source, problem: `\`java -version\` failed: ${reason}` };
  }
}

/** Probes every candidate once, in parallel (a JVM start each, ~0.1 s). */
export async function probeJavaRuntimes(env: NodeJS.ProcessEnv = process.env): Promise<JavaProbe[]> {
  return Promise.all(javaCandidates(env).map(probeJava));
}

/**
 * The user's own Java (PATH, then JAVA_HOME) when it is new enough; otherwise the installed JDK with
 * the lowest sufficient version, as the one closest to what the component is tested on (Kafka 3.9
 * gets a 17 rather than a 25 when both are there).
 */
export function pickJava(probes: readonly JavaProbe[], minMajor: number): JavaRuntime | undefined {
  const fitting = probes.flatMap((probe) =>
    'runtime' in probe && probe.runtime.major >= minMajor
      ? [{ source: probe.source, runtime: probe.runtime }]
      : [],
  );
  const chosen = fitting.find((candidate) => candidate.source === 'chosen');
  if (chosen !== undefined) return chosen.runtime;
  const installed = fitting.map((candidate) => candidate.runtime).sort((a, b) => a.major - b.major);
  return installed[0];
}

/** One line per candidate, for the "no suitable Java" message. */
export function describeJavaProbes(probes: readonly JavaProbe[]): string {
  if (probes.length === 0) return 'no `java` on PATH, no JAVA_HOME, no JDK under /usr/lib/jvm';
  return probes
    .map((probe) =>
      'runtime' in probe
        ? `${probe.javaPath} is Java ${probe.runtime.version}`
        : `${probe.javaPath}: ${probe.problem}`,
    )
    .join('; ');
}
