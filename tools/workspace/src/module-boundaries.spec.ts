import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const workspaceRoot = join(__dirname, '..', '..', '..');

interface LintResult {
  messages: { ruleId: string | null; message: string }[];
}

/**
 * Lints `source` as if it were the content of `projectFile` (an existing file, so type-aware rules
 * can load it) with the workspace's ESLint, as CI runs it, and returns the module-boundary messages.
 */
async function boundaryErrors(projectFile: string, source: string): Promise<string[]> {
  const eslint = join(workspaceRoot, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const lint = run(
    process.execPath,
    [eslint, '--format', 'json', '--stdin', '--stdin-filename', projectFile],
    {
      cwd: workspaceRoot,
    },
  );
  lint.child.stdin?.end(source);
  // ESLint exits 1 when it reports errors; the JSON report is on stdout either way.
  const { stdout } = await lint.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const [result] = JSON.parse(stdout) as LintResult[];
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === '@nx/enforce-module-boundaries')
    .map((message) => message.message);
}

describe('module boundaries', () => {
  // The rule reads Nx's cached project graph; computing it first means the test sees every project.
  beforeAll(async () => {
    await run(
      process.execPath,
      [join(workspaceRoot, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), 'show', 'projects'],
      {
        cwd: workspaceRoot,
        env: { ...process.env, NX_DAEMON: 'false' },
      },
    );
  });

  it('when an app imports another app, then lint fails', async () => {
    const errors = await boundaryErrors(
      'apps/order-service/src/main.ts',
      "import { buildInventoryServiceApp } from '../../inventory-service/src/app';\nexport const probe = buildInventoryServiceApp;\n",
    );
    expect(errors).toEqual([
      expect.stringMatching(/relative or absolute path|Imports of apps are forbidden/),
    ]);
  });

  it('when an app imports tooling, then lint fails naming the allowed tags', async () => {
    const errors = await boundaryErrors(
      'apps/payment-service/src/main.ts',
      "import { localInfraUp } from '@ecommerce/local-infra';\nexport const probe = localInfraUp;\n",
    );
    expect(errors).toEqual([
      expect.stringContaining('A project tagged with "type:app" can only depend on libs tagged with'),
    ]);
  });

  // Contracts, not messaging: messaging depends on every platform library, so a platform library
  // importing it is reported as a circular dependency before the tag rule is checked.
  it('when a platform library imports the event contracts, then lint fails', async () => {
    const errors = await boundaryErrors(
      'libs/platform/service-runtime/src/run-service.ts',
      "import { topicName } from '@ecommerce/contracts';\nexport const probe = topicName;\n",
    );
    expect(errors).toEqual([expect.stringContaining('"type:platform" can only depend on libs tagged with')]);
  });

  it('when app code imports the test harness, then lint fails; when its tests do, then it passes', async () => {
    const source =
      "import { createTestDatabase } from '@ecommerce/test-infra';\nexport const probe = createTestDatabase;\n";
    expect(await boundaryErrors('apps/order-service/src/app.ts', source)).toEqual([
      expect.stringContaining('A project tagged with "type:app" can only depend on libs tagged with'),
    ]);
    expect(await boundaryErrors('apps/order-service/src/persistence.integration.spec.ts', source)).toEqual(
      [],
    );
  });

  it('when the contracts library imports anything of the workspace, then lint fails', async () => {
    const errors = await boundaryErrors(
      'libs/contracts/src/topics.ts',
      "import { loadConfig } from '@ecommerce/config';\nexport const probe = loadConfig;\n",
    );
    expect(errors).toEqual(['A project tagged with "type:contracts" cannot depend on any libs with tags']);
  });

  it('when an app imports a shared library it is allowed to use, then lint passes', async () => {
    const errors = await boundaryErrors(
      'apps/order-service/src/main.ts',
      "import { loadConfig } from '@ecommerce/config';\nexport const probe = loadConfig;\n",
    );
    expect(errors).toEqual([]);
  });
});
