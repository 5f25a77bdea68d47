import { readdir, readFile } from 'node:fs/promises';

import { parseCpuTimes } from './cpu-usage';

/** CPU seconds of one thread so far: user (its code) and system (the kernel working for it). */
export interface ThreadCpu {
  /** `comm`: the thread's name, at most 15 characters (`libuv-worker`, `V8 DefaultWorke`...). */
  name: string;
  user: number;
  system: number;
}

/** Every thread of a process, by thread id; empty once the process has gone. */
export type ThreadSnapshot = Map<number, ThreadCpu>;

/** CPU ms per second of a thread kind: user and system apart. */
export interface ThreadCpuRate {
  user: number;
  system: number;
}

/** The main thread (the event loop and the JavaScript the CPU profiles see) is the one whose id is the pid. */
export const MAIN_THREAD = 'main';

export async function threadSnapshot(pid: number): Promise<ThreadSnapshot> {
  const snapshot: ThreadSnapshot = new Map();
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => undefined);
    if (stat !== undefined) snapshot.set(Number(tid), parseCpuTimes(stat));
  }
  return snapshot;
}

/**
 * CPU ms per second of each kind of thread of process `pid` between two snapshots `seconds`
 * apart: threads of the same name (the libuv pool, V8's workers) added up, the main thread apart.
 * A thread in only one snapshot counts nothing rather than its whole life.
 */
export function threadCpuBetween(
  pid: number,
  before: ThreadSnapshot,
  after: ThreadSnapshot,
  seconds: number,
): Record<string, ThreadCpuRate> {
  const rates: Record<string, ThreadCpuRate> = {};
  for (const [tid, end] of after) {
    const start = before.get(tid);
    if (!start) continue;
    const rate = (rates[tid === pid ? MAIN_THREAD : end.name] ??= { user: 0, system: 0 });
    rate.user += ((end.user - start.user) * 1_000) / seconds;
    rate.system += ((end.system - start.system) * 1_000) / seconds;
  }
  return rates;
}

/** The mean over processes of each thread kind's rate (a kind missing from a process counts 0 there). */
export function meanThreadCpu(
  perProcess: readonly Record<string, ThreadCpuRate>[],
): Record<string, ThreadCpuRate> {
  const mean: Record<string, ThreadCpuRate> = {};
  for (const rates of perProcess) {
    for (const [name, { user, system }] of Object.entries(rates)) {
      const total = (mean[name] ??= { user: 0, system: 0 });
      total.user += user / perProcess.length;
      total.system += system / perProcess.length;
    }
  }
  return mean;
}
