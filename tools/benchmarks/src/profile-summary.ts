/**
 * Profile summary (a script): `npx tsx tools/benchmarks/src/profile-summary.ts <dir> [options]`.
 * Reads the `.cpuprofile` files of `node --cpu-prof`, one sub-folder per service process
 * (`<service>-<instance>/`, as `npm run bench -- --profile` writes them), and prints, per
 * service, the share of busy CPU by component and the functions with the most self time.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { readProcessProfiles } from './profile/cpu-profile';
import { profileSummaryLines } from './profile/format';
import { summarizeProfiles, type ProfileWindow } from './profile/summarize';

const usage = `usage: npx tsx tools/benchmarks/src/profile-summary.ts <profiles dir> [options]
  --from <us> --to <us>  only samples in this window, microseconds on the monotonic clock
                         (a bench result's profile.windows hold its idle and load windows)
  --functions <n>        functions listed by self time per service (default 5)
  --workspace <dir>      the checkout the services ran from: its code outside node_modules is the
                         project's (default: this one)
  --json                 the summary as JSON instead of text`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      functions: { type: 'string', default: '5' },
      workspace: { type: 'string', default: join(__dirname, '..', '..', '..') },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [dir] = positionals;
  if (
    values.help ||
    dir === undefined ||
    positionals.length > 1 ||
    (values.from === undefined) !== (values.to === undefined)
  ) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  const window: ProfileWindow | undefined =
    values.from === undefined ? undefined : { fromMicros: Number(values.from), toMicros: Number(values.to) };
  const functions = Number(values.functions);
  if ((window && !(window.fromMicros < window.toMicros)) || !(functions >= 0)) {
    console.error(`--from must be below --to, and --functions a number\n\n${usage}`);
    return 2;
  }
  const processes = await readProcessProfiles(dir);
  const empty = processes.filter((p) => p.profiles.length === 0).map((p) => p.process);
  if (empty.length > 0) console.error(`no profile from ${empty.join(', ')} (did it exit cleanly?)`);
  const summary = summarizeProfiles(processes, {
    workspaceRoot: values.workspace,
    topFunctions: Math.max(10, functions),
    ...(window && { window }),
  });
  console.log(
    values.json ? JSON.stringify(summary, null, 2) : profileSummaryLines(summary, { functions }).join('\n'),
  );
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
