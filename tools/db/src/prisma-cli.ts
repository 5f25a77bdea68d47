import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { prismaSchemaPath, workspaceRoot, type ServiceDatabase } from './services';

const run = promisify(execFile);

/**
 * Prisma's engines are downloaded from a host the build machines cannot reach. `prisma generate`
 * only checks that the schema engine file exists, so any existing file stands in for it there.
 */
function offlineEngineEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env['PRISMA_SCHEMA_ENGINE_BINARY'] ?? process.execPath,
    PRISMA_QUERY_ENGINE_LIBRARY: process.env['PRISMA_QUERY_ENGINE_LIBRARY'] ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  };
}

export async function generatePrismaClient(service: ServiceDatabase): Promise<void> {
  const cli = require.resolve('prisma/build/index.js', { paths: [workspaceRoot] });
  await run(process.execPath, [cli, 'generate', '--schema', prismaSchemaPath(service)], {
    cwd: workspaceRoot,
    env: offlineEngineEnv(),
  });
}

/**
 * The SQL that takes a database from `fromSchema` (or empty) to the service's Prisma schema.
 *
 * Prisma 7's `migrate diff` needs the native schema engine; Prisma 6.19 (installed as `prisma6`)
 * can diff two data models with its JS engine, which is all this needs. Prisma 6 wants the
 * datasource URL in the schema and connects to a server even for a model-to-model diff, so the
 * schemas are copied with a URL added and a reachable server is passed in.
 */
export async function diffPrismaSchemas(options: {
  toSchema: string;
  fromSchema?: string;
  serverUrl: string;
}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'prisma-diff-'));
  try {
    const withUrl = async (schema: string, name: string) => {
      const path = join(dir, name);
      await writeFile(
        path,
        schema.replace(/provider\s*=\s*"postgresql"/, '$&\n  url = env("PRISMA_DIFF_DATABASE_URL")'),
      );
      return path;
    };
    const to = await withUrl(options.toSchema, 'to.prisma');
    const from =
      options.fromSchema === undefined ? undefined : await withUrl(options.fromSchema, 'from.prisma');
    const cli = require.resolve('prisma6/build/index.js', { paths: [workspaceRoot] });
    const args = [
      cli,
      'migrate',
      'diff',
      '--config',
      join(__dirname, '..', 'prisma6-diff.config.ts'),
      ...(from ? ['--from-schema-datamodel', from] : ['--from-empty']),
      '--to-schema-datamodel',
      to,
      '--script',
    ];
    const { stdout } = await run(process.execPath, args, {
      cwd: workspaceRoot,
      env: { ...offlineEngineEnv(), PRISMA_DIFF_DATABASE_URL: options.serverUrl, PRISMA_DIFF_SCHEMA: to },
      maxBuffer: 16 * 1024 * 1024,
    });
    // An empty script would mean the CLI ran without its JS engine (it then runs the stand-in
    // binary and prints nothing); every real diff, even an empty one, has a comment line.
    if (!stdout.trim()) throw new Error('prisma migrate diff printed nothing; is the JS engine configured?');
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function readPrismaSchema(service: ServiceDatabase): Promise<string> {
  return readFile(prismaSchemaPath(service), 'utf8');
}
