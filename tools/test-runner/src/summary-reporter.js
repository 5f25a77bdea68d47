// A jest reporter that leaves each project's totals, and the tests that failed, where `npm test`
// (run-tests.ts) can add them up into one closing section. Plain JavaScript because jest loads
// reporters without transforming them.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { stripVTControlCharacters } = require('node:util');

/** Paths are told from the workspace's root: jest runs in each project's own folder. */
const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

/** The first lines of a failure: enough to name it in the closing section, not the whole stack. */
function firstLines(message, count = 3) {
  return stripVTControlCharacters(message)
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .slice(0, count)
    .join('\n');
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const dir = process.env.TEST_SUMMARY_DIR;
    if (!dir) return;
    const failures = [];
    for (const suite of results.testResults) {
      const file = relative(WORKSPACE_ROOT, suite.testFilePath);
      // A failure outside the suite's tests (the file did not load, a beforeAll or afterAll hook
      // failed) belongs to no test of its own to name.
      if (suite.testExecError) {
        failures.push({
          file,
          test: '(outside its tests: the file or a hook)',
          message: firstLines(
            suite.testExecError.message ||
              suite.testExecError.stack ||
              suite.failureMessage ||
              '(no message)',
          ),
        });
      }
      for (const test of suite.testResults) {
        if (test.status !== 'failed') continue;
        failures.push({ file, test: test.fullName, message: firstLines(test.failureMessages.join('\n')) });
      }
    }
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${process.pid}-${Date.now()}.json`),
      JSON.stringify({
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
        failures,
      }),
    );
  }
}

module.exports = SummaryReporter;
