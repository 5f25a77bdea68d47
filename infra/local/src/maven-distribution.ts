import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findExecutableOnPath } from './executable-on-path';
import type { JavaRuntime } from './java-runtime';
import { LocalInfraError } from './local-infra-error';
import { tailOfFile } from './log-tail';

/**
 * Fetches a distribution through the ordinary Maven client, from one of the manifests in
 * infra/local/maven, into a versioned folder of the cache. The folder only counts as present once
 * its completion marker exists, so an interrupted download is redone instead of half-used, and a
 * completed one is never downloaded again.
 */

const COMPLETION_MARKER = '.complete';

export interface MavenDistribution {
  /** For messages, e.g. "Kafka 3.9.2". */
  readonly label: string;
  /** Final folder, e.g. <cache>/kafka-3.9.2. */
  readonly targetDir: string;
  readonly pomFile: string;
  /** Maven goal, e.g. dependency:copy-dependencies (the version is pinned in the pom). */
  readonly goal: string;
  /** -D properties; `{dir}` in a value is replaced by the staging folder. */
  readonly properties: Readonly<Record<string, string>>;
  readonly logFile: string;
}

export function isDistributionCached(targetDir: string): boolean {
  return fs.existsSync(path.join(targetDir, COMPLETION_MARKER));
}

/** Returns true when it downloaded, false when the cache already had it. */
export async function ensureMavenDistribution(
  distribution: MavenDistribution,
  mvnPath: string | undefined,
  java: JavaRuntime,
  log: (line: string) => void,
): Promise<boolean> {
  if (isDistributionCached(distribution.targetDir)) return false;
  if (mvnPath === undefined) {
    throw new LocalInfraError(
      `Maven (\`mvn\`) is not on PATH; it is needed to download ${distribution.label}.`,
    );
  }
  // Staging next to the target (same file system) so the final step is one rename; the pid keeps
  // two checkouts sharing this cache from writing into the same staging folder.
  const staging = `${distribution.targetDir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const mavenWork = path.join(staging, '.maven-work');
  // Batch mode without --no-transfer-progress: each finished download is one "Downloaded from"
  // line in the log, which the progress lines below count (a first download takes minutes).
  const args = [
    '-B',
    '-f',
    distribution.pomFile,
    distribution.goal,
    ...Object.entries(distribution.properties).map(
      ([key, value]) => `-D${key}=${value.replaceAll('{dir}', staging)}`,
    ),
    // Maven's bookkeeping (unpack markers) goes into the staging folder, never into the repo.
    `-Dinfra.mavenWorkDirectory=${mavenWork}`,
  ];
  log(`downloading ${distribution.label} with Maven (log: ${distribution.logFile})`);
  const started = Date.now();
  const progress = setInterval(() => {
    const { files, megabytes } = downloadsSoFar(distribution.logFile);
    log(
      `  ${distribution.label}: ${files} files (${megabytes.toFixed(1)} MB) downloaded, ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }, PROGRESS_INTERVAL_MS);
  try {
    await runToLog(mvnPath, args, distribution.logFile, mavenEnv(java));
  } catch (error: unknown) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new LocalInfraError(
      `Downloading ${distribution.label} with Maven failed (${error instanceof Error ? error.message : String(error)}).\n` +
        `Command: mvn ${args.join(' ')}\nLast lines of ${distribution.logFile}:\n${tailOfFile(distribution.logFile, 25)}`,
      { cause: error },
    );
  } finally {
    clearInterval(progress);
  }
  fs.rmSync(mavenWork, { recursive: true, force: true });
  if (isDistributionCached(distribution.targetDir)) {
    // Another checkout finished the same download meanwhile; keep theirs.
    fs.rmSync(staging, { recursive: true, force: true });
    return false;
  }
  // A target without marker is a leftover of an older, interrupted layout: replace it.
  fs.rmSync(distribution.targetDir, { recursive: true, force: true });
  fs.renameSync(staging, distribution.targetDir);
  fs.writeFileSync(
    path.join(distribution.targetDir, COMPLETION_MARKER),
    `${JSON.stringify({ label: distribution.label, completedAt: new Date().toISOString() })}\n`,
  );
  log(`downloaded ${distribution.label} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

/**
 * The mvn launcher itself needs a JDK: from JAVA_HOME, else `java` on PATH. When neither is set
 * (Java found only under /usr/lib/jvm) point it at the JDK preflight picked.
 */
function mavenEnv(java: JavaRuntime): NodeJS.ProcessEnv {
  const javaHomeSet = (process.env['JAVA_HOME'] ?? '') !== '';
  if (javaHomeSet || findExecutableOnPath('java') !== undefined) return process.env;
  return { ...process.env, JAVA_HOME: path.dirname(path.dirname(fs.realpathSync(java.javaPath))) };
}

const PROGRESS_INTERVAL_MS = 15_000;
const UNIT_MEGABYTES: Record<string, number> = { B: 1e-6, kB: 1e-3, KB: 1e-3, MB: 1, GB: 1e3 };

/** What Maven has downloaded so far, from its log: `Downloaded from <repo>: <url> (<size> at ...)`. */
export function downloadsSoFar(logFile: string): { files: number; megabytes: number } {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return { files: 0, megabytes: 0 }; // not written yet
  }
  let files = 0;
  let megabytes = 0;
  for (const match of text.matchAll(/Downloaded from [^:]+: \S+ \(([\d.]+) (B|kB|KB|MB|GB)/g)) {
    files++;
    megabytes += Number(match[1]) * (UNIT_MEGABYTES[match[2] ?? 'B'] ?? 0);
  }
  return { files, megabytes };
}

function runToLog(
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const logFd = fs.openSync(logFile, 'w');
    const child = spawn(command, [...args], { stdio: ['ignore', logFd, logFd], env });
    fs.closeSync(logFd);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(signal !== null ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`));
    });
  });
}
