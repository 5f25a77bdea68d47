import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * Dependency rules of the workspace, enforced on every import. The libraries are layered, each
 * using only the layers below it:
 *
 *   contracts (event schemas, types, topic names)       depends on nothing in the workspace
 *   platform (config, database, http-server, telemetry) depends on platform only
 *   messaging (kafkajs, consumers, publisher, inbox)     + platform, contracts
 *   outbox (writer, relay, quarantine)                   + messaging
 *   runtime (declared services, event backbone)          + outbox
 *
 * - a service (`type:app`) is a declaration over the runtime: it may import contracts, the runtime
 *   and platform libraries only, never messaging or the outbox directly, another app or tooling;
 * - operations apps (`type:operations`: the order console, the demo's init step) read Kafka
 *   themselves, so they may also use messaging;
 * - `scope:<service>` code only reaches its own scope or `scope:shared`;
 * - tooling may use platform libraries and contracts;
 * - only test code (`*.spec.ts`, `src/testing/`) may use the test harness (`type:testing`); a
 *   service's tests may also read Kafka through messaging (dead letters, raw topics).
 */
function depConstraints({ inTests }) {
  const testing = inTests ? ['type:testing'] : [];
  const platform = ['type:platform'];
  const messaging = [...platform, 'type:contracts', 'type:messaging'];
  const outbox = [...messaging, 'type:outbox'];
  const runtime = [...outbox, 'type:runtime'];
  return [
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: [
        ...platform,
        'type:contracts',
        'type:runtime',
        ...(inTests ? ['type:messaging'] : []),
        ...testing,
      ],
    },
    { sourceTag: 'type:operations', onlyDependOnLibsWithTags: [...runtime, ...testing] },
    { sourceTag: 'type:platform', onlyDependOnLibsWithTags: [...platform, ...testing] },
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [...testing] },
    { sourceTag: 'type:messaging', onlyDependOnLibsWithTags: [...messaging, ...testing] },
    { sourceTag: 'type:outbox', onlyDependOnLibsWithTags: [...outbox, ...testing] },
    { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: [...runtime, ...testing] },
    {
      sourceTag: 'type:tool',
      onlyDependOnLibsWithTags: [...platform, 'type:contracts', 'type:tool', ...testing],
    },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: [...runtime, 'type:tool', 'type:testing'],
    },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    ...['order', 'inventory', 'payment', 'notification', 'analytics', 'console'].map((service) => ({
      sourceTag: `scope:${service}`,
      onlyDependOnLibsWithTags: [`scope:${service}`, 'scope:shared'],
    })),
  ];
}

function moduleBoundaries(options) {
  return [
    'error',
    {
      enforceBuildableLibDependency: true,
      allow: [],
      depConstraints: depConstraints(options),
      banTransitiveDependencies: false,
    },
  ];
}

const KAFKAJS_ONLY_IN_MESSAGING =
  'kafkajs is imported by libs/messaging only, so the Kafka client can change in one place: use ' +
  "@ecommerce/messaging (or '@ecommerce/messaging/testing' in tests and tools), and add what is missing there.";

export default tseslint.config(
  {
    ignores: ['**/node_modules', '**/dist', '**/coverage', '**/.nx', '**/src/generated/**', '**/*.js'],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries({ inTests: false }),
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // kafkajs is imported by libs/messaging only, so the Kafka client can be replaced (or patched, as
    // its Node 24 fix is) in one place; tools and tests go through messaging's API (its `testing`
    // entry point for raw access). infra/local, which messaging's tests depend on, speaks the few
    // requests it needs over a socket (infra/local/src/kafka-metadata.ts).
    files: ['**/*.ts'],
    ignores: ['libs/messaging/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kafkajs', message: KAFKAJS_ONLY_IN_MESSAGING }],
          patterns: [{ group: ['kafkajs/*'], message: KAFKAJS_ONLY_IN_MESSAGING }],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='require'] > Literal.arguments[value=/^kafkajs(\\u002F|$)/]",
          message: KAFKAJS_ONLY_IN_MESSAGING,
        },
        {
          selector: 'ImportExpression > Literal.source[value=/^kafkajs(\\u002F|$)/]',
          message: KAFKAJS_ONLY_IN_MESSAGING,
        },
      ],
    },
  },
  {
    // Test code: specs and test-support modules (`src/testing/`, e.g. `@ecommerce/messaging/testing`).
    files: ['**/*.spec.ts', '**/src/testing/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries({ inTests: true }) },
  },
  {
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/jest.config.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  prettier,
);
