import * as fs from 'node:fs';
import * as path from 'node:path';

/** Absolute path of `name` as a shell would find it on PATH, or undefined. No process is started. */
export function findExecutableOnPath(
  name: string,
  envPath: string = process.env['PATH'] ?? '',
): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch (error: unknown) {
      // Not in this PATH entry (ENOENT) or not executable (EACCES): keep looking, as a shell does.
      if (!isMissingOrForbidden(error)) throw error;
    }
  }
  return undefined;
}

function isMissingOrForbidden(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR';
}
