// Shared jest settings for every project. Path aliases come from tsconfig.base.json so there is
// exactly one list of them; @swc/jest only strips types (type-checking is the `typecheck` target).
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace(/[/.]/g, '\\$&')}$`,
    path.join(__dirname, target),
  ]),
);

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(ts|js)$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  // `cookie` (used by Fastify's inject) ships ESM only; jest's CommonJS runtime needs it compiled.
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // Integration suites get Kafka, the schema registry and PostgreSQL from one place, once per run.
  globalSetup: path.join(__dirname, 'libs/testing/infra/src/jest/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'libs/testing/infra/src/jest/global-teardown.ts'),
  // Tests and hooks alike. A service's start waits up to 90 s for the cluster to settle
  // (`untilClusterSettles`: topic creation and group joins under a busy broker, as when every suite
  // starts at once in CI), so a hook that starts one needs more than that. A test's own waits have
  // their deadlines (`waitFor`), so a real failure is still reported by what it waited for.
  testTimeout: 180_000,
  // A suite that fails in a hook can leave Kafka clients connected; the run must still end (and
  // report the failure) rather than wait on them forever.
  forceExit: true,
  reporters: ['default', path.join(__dirname, 'tools/test-runner/src/summary-reporter.js')],
};
