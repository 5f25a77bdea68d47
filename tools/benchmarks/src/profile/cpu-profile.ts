import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * The `.cpuprofile` format V8 writes for `node --cpu-prof` (the DevTools protocol's
 * `Profiler.Profile`): a call tree, and the sampled leaf of each tick. Only the fields read here.
 */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** Microseconds on the machine's monotonic clock, the one `process.hrtime` reads in every process. */
  startTime: number;
  endTime: number;
  /** The node id sampled at each tick. */
  samples: number[];
  /** Microseconds since the previous sample (the first: since startTime). */
  timeDeltas: number[];
}

export interface CpuProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CallFrame {
  functionName: string;
  /** `file:///...` or an absolute path for scripts, `node:internal/...` for Node's own, '' for native code. */
  url: string;
  /** Zero-based. */
  lineNumber: number;
  columnNumber: number;
}

/**
 * Now, or the given `performance.now()` reading, in microseconds on the monotonic clock the
 * profiles' timestamps use: V8 and libuv (`process.hrtime`) both read CLOCK_MONOTONIC, the same
 * in every process of the machine, so a window taken here selects samples of another process.
 */
export function monotonicMicros(performanceMs = performance.now()): number {
  const now = Number(process.hrtime.bigint() / 1_000n);
  return Math.round(now - (performance.now() - performanceMs) * 1_000);
}

/** The profiles one service process wrote (its main thread, and any worker thread it ran). */
export interface ProcessProfiles {
  /** The folder's name: `<service>-<instance>`. */
  process: string;
  service: string;
  profiles: CpuProfile[];
}

/** `order-2` -> `order`: the bench writes each instance's profiles to `<service>-<instance>/`. */
export function serviceOfProcess(processName: string): string {
  return processName.replace(/-\d+$/, '');
}

/**
 * Every process's profiles under `dir`, one sub-folder per process (as `startServices` with
 * `cpuProfileDir` lays them out). A sub-folder without a profile is listed with none: the caller
 * says so, since that process did not exit cleanly.
 */
export async function readProcessProfiles(dir: string): Promise<ProcessProfiles[]> {
  const folders = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  const result: ProcessProfiles[] = [];
  for (const folder of folders.sort((a, b) => a.name.localeCompare(b.name))) {
    const files = (await readdir(join(dir, folder.name))).filter((file) => file.endsWith('.cpuprofile'));
    const profiles: CpuProfile[] = [];
    for (const file of files.sort()) {
      profiles.push(JSON.parse(await readFile(join(dir, folder.name, file), 'utf8')) as CpuProfile);
    }
    result.push({ process: folder.name, service: serviceOfProcess(folder.name), profiles });
  }
  return result;
}
