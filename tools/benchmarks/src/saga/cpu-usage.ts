import { readdir, readFile } from 'node:fs/promises';

/** Linux reports process and machine CPU time in USER_HZ ticks, 100 per second on every platform. */
const TICKS_PER_SECOND = 100;

export interface MachineCpuTimes {
  busy: number;
  iowait: number;
  /** Time the hypervisor gave this VM's CPUs to someone else. */
  steal: number;
  total: number;
}

/** `cpu` line of /proc/stat, in seconds summed over every core. */
export function parseMachineCpu(procStat: string): MachineCpuTimes {
  const fields = /^cpu\s+(.+)$/m.exec(procStat)?.[1]?.trim().split(/\s+/).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const seconds = (ticks: number) => ticks / TICKS_PER_SECOND;
  return {
    busy: seconds(user + nice + system + irq + softirq),
    iowait: seconds(iowait),
    steal: seconds(steal),
    total: seconds(user + nice + system + idle + iowait + irq + softirq + steal),
  };
}

/**
 * The name, utime and stime (seconds) of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line
 * (the name may hold spaces and parentheses: the fields are read after its last parenthesis).
 */
export function parseCpuTimes(stat: string): { name: string; user: number; system: number } {
  const nameEnd = stat.lastIndexOf(')');
  const afterName = stat.slice(nameEnd + 2).split(' ');
  // Fields 14 and 15 of the whole line are the 12th and 13th after the name.
  return {
    name: stat.slice(stat.indexOf('(') + 1, nameEnd),
    user: Number(afterName[11]) / TICKS_PER_SECOND,
    system: Number(afterName[12]) / TICKS_PER_SECOND,
  };
}

/** utime + stime of /proc/<pid>/stat, in seconds. */
export function parseProcessCpuSeconds(pidStat: string): number {
  const { user, system } = parseCpuTimes(pidStat);
  return user + system;
}

/** `starttime` of /proc/<pid>/stat: when the process started, in seconds after the machine's boot. */
export function parseProcessStartSeconds(pidStat: string): number {
  // Field 22 of the whole line is the 20th after the name.
  return Number(pidStat.slice(pidStat.lastIndexOf(')') + 2).split(' ')[19]) / TICKS_PER_SECOND;
}

async function processCpu(pid: number): Promise<{ seconds: number; startedAt: number } | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined
    ? undefined
    : { seconds: parseProcessCpuSeconds(stat), startedAt: parseProcessStartSeconds(stat) };
}

/** Seconds since the machine booted (/proc/uptime), the clock of `parseProcessStartSeconds`. */
async function secondsSinceBoot(): Promise<number | undefined> {
  const uptime = await readFile('/proc/uptime', 'utf8').catch(() => undefined);
  return uptime === undefined ? undefined : Number(uptime.split(' ')[0]);
}

/** System calls a process made: `syscr` and `syscw` of /proc/<pid>/io (socket reads and writes count). */
export interface SystemCalls {
  reads: number;
  writes: number;
}

export function parseSystemCalls(pidIo: string): SystemCalls | undefined {
  const count = (name: string) => {
    const value = new RegExp(`^${name}: (\\d+)$`, 'm').exec(pidIo)?.[1];
    return value === undefined ? undefined : Number(value);
  };
  const [reads, writes] = [count('syscr'), count('syscw')];
  return reads === undefined || writes === undefined ? undefined : { reads, writes };
}

async function processSystemCalls(pid: number): Promise<SystemCalls | undefined> {
  const io = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => undefined);
  return io === undefined ? undefined : parseSystemCalls(io);
}

export async function machineCpu(): Promise<MachineCpuTimes | undefined> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  return stat === undefined ? undefined : parseMachineCpu(stat);
}

/**
 * The pid of the local infrastructure's Kafka broker listening on `port` (its launcher names the
 * ports on the command line), if it runs on this machine: other brokers (a chaos run's) may too.
 */
export async function localKafkaBrokerPid(port: number): Promise<number | undefined> {
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const ports = args.find((arg) => arg.startsWith('-Decommerce.localInfra.ports='))?.split('=')[1];
    if (args.includes('kafka.Kafka') && ports?.split(',')[0] === String(port)) return Number(entry);
  }
  return undefined;
}

export type CpuGroups = Record<string, readonly number[]>;

export interface CpuSnapshot {
  machine: MachineCpuTimes | undefined;
  /** When the snapshot was taken, in seconds after the machine's boot. */
  takenAt: number | undefined;
  /** CPU seconds of each pid, by group (a group's pids are read at each snapshot: pools change). */
  processes: Record<string, Map<number, number>>;
  /** When each pid started, in seconds after the machine's boot, by group, as `processes`. */
  startedAt: Record<string, Map<number, number>>;
  /** System calls of each pid, by group, as `processes`. */
  systemCalls: Record<string, Map<number, SystemCalls>>;
}

export async function cpuSnapshot(groups: CpuGroups): Promise<CpuSnapshot> {
  const takenAt = await secondsSinceBoot();
  const processes: Record<string, Map<number, number>> = {};
  const startedAt: Record<string, Map<number, number>> = {};
  const systemCalls: Record<string, Map<number, SystemCalls>> = {};
  for (const [group, pids] of Object.entries(groups)) {
    const seconds = new Map<number, number>();
    const started = new Map<number, number>();
    const calls = new Map<number, SystemCalls>();
    for (const pid of pids) {
      const cpu = await processCpu(pid);
      if (cpu !== undefined) {
        seconds.set(pid, cpu.seconds);
        started.set(pid, cpu.startedAt);
      }
      const made = await processSystemCalls(pid);
      if (made !== undefined) calls.set(pid, made);
    }
    processes[group] = seconds;
    startedAt[group] = started;
    systemCalls[group] = calls;
  }
  return { machine: await machineCpu(), takenAt, processes, startedAt, systemCalls };
}

export interface CpuUse {
  /**
   * CPU seconds each group used between the snapshots: of the pids in both, and of those that
   * started in between (a database connection a pool opened under load: its whole life is in the
   * window, its start-up included). A pid the earlier snapshot did not follow although it ran
   * already counts nothing. A process that ended in between is not seen at all.
   */
  seconds: Record<string, number>;
  /** The same for each process of the group, in the order of the later snapshot. */
  processSeconds: Record<string, number[]>;
  /** System calls each group made between the snapshots, counted as `seconds`. */
  systemCalls: Record<string, SystemCalls>;
  /** Share of the machine's CPU time that was busy / waiting for I/O / stolen by the hypervisor. */
  machineBusy: number;
  machineIowait: number;
  machineSteal: number;
}

export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  /** What a pid of the later snapshot had at the earlier one: its value then, zero if it started since. */
  const baseline = <T>(
    group: string,
    pid: number,
    start: Map<number, T> | undefined,
    zero: T,
  ): T | undefined => {
    const earlier = start?.get(pid);
    if (earlier !== undefined) return earlier;
    const startedAt = after.startedAt[group]?.get(pid);
    const startedSince =
      startedAt !== undefined && before.takenAt !== undefined && startedAt >= before.takenAt;
    return startedSince ? zero : undefined;
  };
  const seconds: Record<string, number> = {};
  const processSeconds: Record<string, number[]> = {};
  for (const [group, end] of Object.entries(after.processes)) {
    const used = [...end].flatMap(([pid, value]) => {
      const earlier = baseline(group, pid, before.processes[group], 0);
      return earlier === undefined ? [] : [value - earlier];
    });
    processSeconds[group] = used;
    seconds[group] = used.reduce((sum, value) => sum + value, 0);
  }
  const systemCalls: Record<string, SystemCalls> = {};
  for (const [group, end] of Object.entries(after.systemCalls)) {
    systemCalls[group] = { reads: 0, writes: 0 };
    for (const [pid, made] of end) {
      const earlier = baseline(group, pid, before.systemCalls[group], { reads: 0, writes: 0 });
      if (!earlier) continue;
      systemCalls[group].reads += made.reads - earlier.reads;
      systemCalls[group].writes += made.writes - earlier.writes;
    }
  }
  const share = (pick: (t: MachineCpuTimes) => number) =>
    before.machine && after.machine
      ? (pick(after.machine) - pick(before.machine)) / (after.machine.total - before.machine.total)
      : NaN;
  return {
    seconds,
    processSeconds,
    systemCalls,
    machineBusy: share((t) => t.busy),
    machineIowait: share((t) => t.iowait),
    machineSteal: share((t) => t.steal),
  };
}
