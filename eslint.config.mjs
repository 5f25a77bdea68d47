import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * Dependency rule of the workspace, enforced on every import:
 * - an app (`type:app`) is a composition root: it may use shared libraries, never another app or
 *   tooling;
 * - `scope:<service>` code only reaches its own scope or `scope:shared`;
 * - contracts (event schemas, types, topic names) depend on nothing in the workspace;
 * - platform libraries depend on platform libraries only; messaging may add contracts; tooling may
 *   use platform libraries and contracts;
 * - only test code (`*.spec.ts`, `src/testing/`) may use the test harness (`type:testing`).
 */
function depConstraints({ inTests }) {
  const testing = inTests ? ['type:testing'] : [];
  return [
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:messaging', ...testing],
    },
    { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', ...testing] },
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [...testing] },
    {
      sourceTag: 'type:messaging',
      onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:messaging', ...testing],
    },
    {
      sourceTag: 'type:tool',
      onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:tool', ...testing],
    },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: [
        'type:platform',
        'type:contracts',
        'type:messaging',
        'type:tool',
        'type:testing',
      ],
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
