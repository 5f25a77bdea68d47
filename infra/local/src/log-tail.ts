import * as fs from 'node:fs';

/** Last `lines` lines of a log file, indented, for error messages; a note when it does not exist. */
export function tailOfFile(file: string, lines: number): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '    (log file not written yet)';
    throw error;
  }
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((line) => `    ${line}`)
    .join('\n');
}
