import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  exportInfrastructure,
  provisionTestInfrastructure,
  warnOnLowConnectionLimit,
} from '@ecommerce/test-infra';

/**
 * `npm test`: provisions Kafka, the schema registry and PostgreSQL once for the whole run, hands
 * them to every project's jest through the environment, runs the tests, and releases what it
 * started, also on Ctrl-C. Extra arguments go to `nx run-many`, e.g. `npm test -- --projects=order-service`.
 */
/** A test that failed, as summary-reporter.js records it: where, which, and its first lines. */
interface TestFailure {
  file: string;
  test: string;
  message: string;
}

interface RunTotals {
  passed: number;
  failed: number;
  skipped: number;
  projects: number;
  failures: TestFailure[];
}

/** Adds up the totals every project's jest left behind (see summary-reporter.js). */
async function readTotals(dir: string): Promise<RunTotals> {
  const totals: RunTotals = { passed: 0, failed: 0, skipped: 0, projects: 0, failures: [] };
  for (const file of await readdir(dir).catch(() => [])) {
    const project = JSON.parse(await readFile(join(dir, file), 'utf8')) as Omit<RunTotals, 'projects'>;
    totals.passed += project.passed;
    totals.failed += project.failed;
    totals.skipped += project.skipped;
    totals.failures.push(...project.failures);
    totals.projects++;
  }
  return totals;
}

/**
 * The failed tests again, after everything else: in a long parallel run jest's own report of a
 * failure scrolls far up among other projects' output, and a CI log is often read from its end.
 */
function describeFailures(failures: TestFailure[]): string {
  const lines = ['', `Failed tests (${failures.length}):`];
  for (const { file, test, message } of failures) {
    lines.push(`- ${file} › ${test}`, ...message.split('\n').map((line) => `    ${line}`));
  }
  return lines.join('\n');
}

/** The projects that have tests (what a full run runs), to say how far a run has come. */
function projectsWithTests(): Promise<number | undefined> {
  return new Promise((resolve) =>
    execFile('npx', ['nx', 'show', 'projects', '--with-target=test', '--json'], (error, stdout) =>
      resolve(error ? undefined : (JSON.parse(stdout) as string[]).length),
    ),
  );
}

const PROGRESS_INTERVAL_MS = 60_000;

/**
 * A line a minute while the tests run: jest prints a suite only when it ends, and the slow ones
 * (end-to-end, chaos-like integration suites) can take minutes.
 */
function reportProgress(summaryDir: string, expectedProjects: number | undefined): () => void {
  const started = Date.now();
  const timer = setInterval(() => {
    void readTotals(summaryDir).then(({ passed, failed, projects }) => {
      const elapsed = Math.round((Date.now() - started) / 1000);
      const of = expectedProjects === undefined ? '' : ` of ${expectedProjects}`;
      console.error(
        `[npm test, ${Math.floor(elapsed / 60)} min ${elapsed % 60} s] ${projects}${of} projects finished: ${passed} passed, ${failed} failed`,
      );
    });
  }, PROGRESS_INTERVAL_MS);
  return () => clearInterval(timer);
}

async function main(): Promise<number> {
  const summaryDir = await mkdtemp(join(tmpdir(), 'test-summary-'));
  const provisioned = await provisionTestInfrastructure();
  console.error(`test infrastructure (${provisioned.source}): ${JSON.stringify(provisioned.infrastructure)}`);
  const env = { ...process.env, TEST_SUMMARY_DIR: summaryDir };
  exportInfrastructure(provisioned.infrastructure, env);

  let child: ReturnType<typeof spawn> | undefined;
  const forward = (signal: NodeJS.Signals) => child?.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    await warnOnLowConnectionLimit(provisioned.infrastructure.postgresUrl, (line) => console.error(line));
    const runMany = (extra: string[]) =>
      new Promise<number>((resolve, reject) => {
        child = spawn('npx', ['nx', 'run-many', '-t', 'test', '--outputStyle=stream', ...extra], {
          stdio: 'inherit',
          env,
        });
        child.once('error', reject);
        child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
      });
    const requested = process.argv.slice(2);
    const stopProgress = reportProgress(
      summaryDir,
      requested.length > 0 ? undefined : await projectsWithTests(),
    );
    // The end-to-end suite starts the five services as processes: it runs last, alone, so it does
    // not compete for the machine with the other suites. Explicit arguments run exactly as asked.
    const code =
      requested.length > 0
        ? await runMany(requested)
        : Math.max(await runMany(['--exclude=e2e']), await runMany(['--projects=e2e']));
    stopProgress();
    const { passed, failed, skipped, failures } = await readTotals(summaryDir);
    if (failures.length > 0) console.log(describeFailures(failures));
    // One closing line for the whole run, in the plain form CI systems read.
    console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    return code;
  } finally {
    await provisioned.release();
    await rm(summaryDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
