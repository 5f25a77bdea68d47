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
 * can load it) with the workspace's ESLint, as CI runs it, and returns the messages of `rules`
 * (the module-boundary rule unless told).
 */
async function boundaryErrors(
  projectFile: string,
  source: string,
  rules: readonly string[] = ['@nx/enforce-module-boundaries'],
): Promise<string[]> {
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
    .filter((message) => message.ruleId !== null && rules.includes(message.ruleId))
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
      "import { inventoryService } from '../../inventory-service/src/service';\nexport const probe = inventoryService;\n",
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
      'libs/platform/http-server/src/run-service.ts',
      "import { topicName } from '@ecommerce/contracts';\nexport const probe = topicName;\n",
    );
    expect(errors).toEqual([expect.stringContaining('"type:platform" can only depend on libs tagged with')]);
  });

  it('when app code imports the test harness, then lint fails; when its tests do, then it passes', async () => {
    const source =
      "import { createTestDatabase } from '@ecommerce/test-infra';\nexport const probe = createTestDatabase;\n";
    expect(await boundaryErrors('apps/order-service/src/main.ts', source)).toEqual([
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

  it('when a service imports messaging or the outbox instead of the runtime, then lint fails; its tests may read Kafka through messaging', async () => {
    for (const library of ['@ecommerce/messaging', '@ecommerce/outbox']) {
      const source = `import * as probe from '${library}';\nexport { probe };\n`;
      expect(await boundaryErrors('apps/payment-service/src/service.ts', source)).toEqual([
        expect.stringContaining('A project tagged with "type:app" can only depend on libs tagged with'),
      ]);
    }
    const readsKafka =
      "import { readDeadLetters } from '@ecommerce/messaging';\nexport const probe = readDeadLetters;\n";
    expect(await boundaryErrors('apps/payment-service/src/service.integration.spec.ts', readsKafka)).toEqual(
      [],
    );
    expect(await boundaryErrors('apps/order-console/src/main.ts', readsKafka)).toEqual([]);
  });

  it('when a lower layer imports a higher one (messaging the outbox, the outbox the runtime), then lint fails', async () => {
    const cases = [
      ['libs/messaging/src/topics.ts', '@ecommerce/outbox', 'type:messaging'],
      ['libs/outbox/src/outbox-relay.ts', '@ecommerce/runtime', 'type:outbox'],
      ['libs/contracts/src/topics.ts', '@ecommerce/messaging', 'type:contracts'],
    ] as const;
    for (const [file, library, tag] of cases) {
      const errors = await boundaryErrors(file, `import * as probe from '${library}';\nexport { probe };\n`);
      // The higher layer depends on the lower one, so Nx may name the cycle before the tag rule.
      expect(errors).toEqual([expect.stringMatching(new RegExp(`"${tag}" can|Circular dependency`))]);
    }
  });

  describe('kafkajs, imported by libs/messaging only', () => {
    const kafkajsRules = ['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax'];
    // The module name is spliced in, so that this file is no hit of the workspace's own check
    // (no import of the client outside libs/messaging, found by grep).
    const client = 'kafkajs';
    const source = [
      `import type { Kafka } from '${client}';`,
      `import { logLevel } from '${client}/src/loggers';`,
      `const errors = require('${client}/src/protocol/error');`,
      `export const probe = async (kafka: Kafka) => [kafka, logLevel, errors, await import('${client}')];`,
      '',
    ].join('\n');

    it('when code outside libs/messaging imports, requires or dynamically imports kafkajs, then lint fails saying why', async () => {
      for (const file of [
        'tools/chaos/src/kafka-access.ts',
        'infra/local/src/kafka-broker.ts',
        'libs/outbox/src/testing/outbox-test-bed.ts',
      ]) {
        const errors = await boundaryErrors(file, source, kafkajsRules);
        expect(errors).toHaveLength(4);
        for (const error of errors) expect(error).toContain('kafkajs is imported by libs/messaging only');
      }
    });

    it('when libs/messaging imports kafkajs, then lint passes', async () => {
      expect(await boundaryErrors('libs/messaging/src/kafka-client.ts', source, kafkajsRules)).toEqual([]);
    });

    it('when code outside libs/messaging imports a package whose name only starts like it, then lint passes', async () => {
      const errors = await boundaryErrors(
        'libs/contracts/src/codec/event-codec.ts',
        "import { SchemaType } from '@kafkajs/confluent-schema-registry';\nexport const probe = SchemaType;\n",
        kafkajsRules,
      );
      expect(errors).toEqual([]);
    });
  });
});
