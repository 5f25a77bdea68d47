import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

import fc, { type Parameters, type Plugin, type RunDetails } from 'fast-check';

/** What CI runs: the same inputs every time, so a red build is a bug, not bad luck. */
export const DEFAULT_PROPERTY_SEED = 20_260_115;
/** Runs per property unless `PROPERTY_RUNS` says otherwise; keeps every property spec together near a minute of CPU. */
export const DEFAULT_PROPERTY_RUNS = 40;

/**
 * fast-check parameters every property test passes to `fc.assert`: a fixed seed and a bounded
 * number of runs, both overridable from the environment to explore more (`PROPERTY_SEED`,
 * `PROPERTY_RUNS`) or to replay one failure (`PROPERTY_SEED` and `PROPERTY_PATH`, which a failure
 * prints together with the jest command that replays it). `defaultRuns` lowers the default for a
 * property whose runs are costly (a round trip through Kafka); `PROPERTY_RUNS` still wins.
 */
export function propertyTestParameters<Ts>(
  { defaultRuns = DEFAULT_PROPERTY_RUNS }: { defaultRuns?: number } = {},
  env: NodeJS.ProcessEnv = process.env,
): Parameters<Ts> {
  const seed = integerSetting(env, 'PROPERTY_SEED', DEFAULT_PROPERTY_SEED);
  const numRuns = integerSetting(env, 'PROPERTY_RUNS', defaultRuns);
  if (numRuns < 1) throw new Error(`PROPERTY_RUNS must be at least 1, got ${numRuns}`);
  const path = env['PROPERTY_PATH'] || undefined;
  return {
    seed,
    numRuns,
    // A path names one counterexample: replay exactly it rather than shrink on from it.
    ...(path !== undefined && { path, endOnFailure: true }),
    includeErrorInReport: true,
    plugins: [replayInstructions<Ts>()],
  };
}

function integerSetting(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got "${text}"`);
  return value;
}

/** Puts the command that replays a failure first in fast-check's report (which says `{ seed, path }`). */
function replayInstructions<Ts>(): Plugin<Ts> {
  return () => ({
    onAllRunsComplete(details: RunDetails<Ts>) {
      if (!details.failed) return;
      const replay =
        details.counterexamplePath === null
          ? `PROPERTY_SEED=${details.seed}`
          : `PROPERTY_SEED=${details.seed} PROPERTY_PATH=${details.counterexamplePath}`;
      throw new Error(
        `Replay this failure: ${replay} ${jestCommand()}\n\n${fc.defaultReportMessage(details) ?? ''}`,
      );
    },
  });
}

/**
 * `npx jest -c <project config> <file> -t '<test>'` for the test running now, as far as jest says,
 * with paths from the workspace root (where nx.json is): jest's own working directory is the
 * project's when Nx runs it, not where a person replays from.
 */
function jestCommand(): string {
  const { testPath, currentTestName } = expect.getState();
  if (!testPath) return 'npx jest <the failing spec>';
  const config = nearestFile(dirname(testPath), 'jest.config.ts');
  const workspaceFile = nearestFile(dirname(testPath), 'nx.json');
  const root = workspaceFile ? dirname(workspaceFile) : process.cwd();
  const name = currentTestName ? ` -t ${shellQuoted(`^${escapedForRegExp(currentTestName)}$`)}` : '';
  return `npx jest${config ? ` -c ${relative(root, config)}` : ''} ${relative(root, testPath)}${name}`;
}

function nearestFile(directory: string, fileName: string): string | undefined {
  for (let current = directory; ; current = dirname(current)) {
    const candidate = join(current, fileName);
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

const escapedForRegExp = (text: string) => text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
const shellQuoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
