import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProcessAlive, sleep } from './detached-process';
import { LocalInfraError } from './local-infra-error';

/**
 * Serialises up/down on one state dir: test runners start several suites at once, each calling
 * localInfraUp, and two of them must not both start a Kafka. mkdir is atomic, so the lock is a
 * directory holding the owner's pid; a lock whose owner died (Ctrl-C, crash) is taken over.
 */
export async function withStateLock<T>(
  stateDir: string,
  work: () => Promise<T>,
  waitMs = 300_000,
): Promise<T> {
  const lockDir = path.join(stateDir, 'lock');
  const ownerFile = path.join(lockDir, 'owner.pid');
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(ownerFile, `${process.pid}\n`);
      break;
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(ownerFile);
    const ageMs = lockAgeMs(lockDir);
    // No owner yet is normal for a moment (mkdir then write); after a few seconds it is debris.
    if ((owner !== undefined && !isProcessAlive(owner)) || (owner === undefined && ageMs > 5_000)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new LocalInfraError(
        `Another infra command (pid ${owner ?? 'unknown'}) has held ${lockDir} for ${Math.round(ageMs / 1000)} s. ` +
          'Wait for it, or remove that directory if you are sure no infra command is running.',
      );
    }
    await sleep(250);
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function readOwner(ownerFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(ownerFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function lockAgeMs(lockDir: string): number {
  try {
    return Date.now() - fs.statSync(lockDir).mtimeMs;
  } catch (error: unknown) {
    // Released between our mkdir attempt and now: age 0, the next loop iteration takes it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
