import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';

/**
 * Low-level process handling for the JVMs this module starts: start them detached (own session,
 * output to a log file) so the CLI can exit while they run, find out whether a pid is still one of
 * ours, and stop it with a deadline.
 */

export interface DetachedSpawn {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Truncated, then receives both stdout and stderr. */
  readonly logFile: string;
}

export async function spawnDetached(spec: DetachedSpawn): Promise<number> {
  const logFd = fs.openSync(spec.logFile, 'w');
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      detached: true, // setsid: not killed with our terminal/process group, not tied to our lifetime
      stdio: ['ignore', logFd, logFd],
      env: process.env,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        if (child.pid === undefined) reject(new Error(`${spec.command} started without a pid`));
        else resolve(child.pid);
      });
    });
    // Let our event loop (CLI or test harness) end while the child runs on.
    child.unref();
    return pid;
  } finally {
    // The child holds its own copy of the descriptor.
    fs.closeSync(logFd);
  }
}

/**
 * True while `pid` exists and is not a zombie (a zombie has exited but was not reaped yet). A JVM
 * is many threads: when it is killed, its main thread can be a zombie while the others still tear
 * down, and they hold its sockets until the last one has exited. So the process only counts as gone
 * once no thread is left but the zombie main thread; otherwise a port could still answer right
 * after a "stopped" process.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code === 'EPERM') return true; // exists, owned by someone else
    throw error;
  }
  return processState(pid) !== 'Z' || threadCount(pid) > 1;
}

/** Threads of the process (from /proc/PID/status); 1 where /proc is absent. */
function threadCount(pid: number): number {
  const status = readProcFile(`/proc/${pid}/status`);
  const threads = status === undefined ? undefined : /^Threads:\s+(\d+)/m.exec(status)?.[1];
  return threads === undefined ? 1 : Number(threads);
}

/** The single-letter state from /proc/PID/stat ("R", "S", "Z"...), undefined where /proc is absent. */
function processState(pid: number): string | undefined {
  const stat = readProcFile(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // Format: "pid (comm) S ..." where comm may contain spaces and parentheses; the state follows the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** Argument vector of a running process, or undefined when it is gone. */
export function readCommandLine(pid: number): string[] | undefined {
  if (process.platform === 'linux') {
    const raw = readProcFile(`/proc/${pid}/cmdline`);
    return raw === undefined ? undefined : raw.split('\0').filter((arg) => arg !== '');
  }
  // No /proc (macOS): ps prints the arguments space-joined, which is enough for marker matching.
  try {
    const out = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return out === '' ? undefined : out.split(' ');
  } catch (error: unknown) {
    // ps exits 1 when the pid does not exist.
    if ((error as { status?: number }).status === 1) return undefined;
    throw error;
  }
}

/** Pids of all live processes whose argument vector satisfies `matches` (Linux only; [] elsewhere). */
export function findProcesses(matches: (args: readonly string[]) => boolean): number[] {
  if (process.platform !== 'linux') return [];
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const args = readCommandLine(pid);
    if (args !== undefined && matches(args) && isProcessAlive(pid)) pids.push(pid);
  }
  return pids;
}

/** Resident set size in MiB (Linux), for status output. */
export function residentMemoryMiB(pid: number): number | undefined {
  const status = readProcFile(`/proc/${pid}/status`);
  const kib = status === undefined ? undefined : /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kib === undefined ? undefined : Math.round(Number(kib) / 1024);
}

export type StopOutcome = 'already-gone' | 'terminated' | 'killed';

/**
 * SIGTERM (the JVMs shut down cleanly on it: Kafka does a controlled shutdown), wait up to
 * `graceMs`, then SIGKILL and wait for the process to disappear.
 */
export async function stopProcess(pid: number, graceMs: number): Promise<StopOutcome> {
  if (!isProcessAlive(pid)) return 'already-gone';
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return 'terminated';
  return killProcess(pid);
}

/** SIGKILL at once (a crash, not a shutdown), then wait for the process to disappear. */
export async function killProcess(pid: number): Promise<StopOutcome> {
  if (!isProcessAlive(pid)) return 'already-gone';
  signal(pid, 'SIGKILL');
  if (await waitForExit(pid, 10_000)) return 'killed';
  throw new Error(`process ${pid} survived SIGKILL for 10 s`);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error: unknown) {
    // It exited between our check and the signal: that is the outcome we want.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await sleep(100);
  }
  return !isProcessAlive(pid);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readProcFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error: unknown) {
    // The process exited (ENOENT/ESRCH) or /proc does not exist on this OS.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES') return undefined;
    throw error;
  }
}
