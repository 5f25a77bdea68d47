/**
 * Which component a stack frame belongs to, from its script's URL: the npm package it was loaded
 * from (related packages grouped under one name), the project's own code, or Node's source-map
 * stack trace preparation. A frame with no component (Node's own modules, native code, Wasm)
 * belongs to whichever component called it, see `summarizeProfiles`.
 */

/** Packages reported together, by the name a reader knows them by. */
const packageGroups: readonly { component: string; packages: readonly (string | RegExp)[] }[] = [
  // wasm-bindgen's glue around Prisma's query compiler: every call into the Wasm module passes
  // through it, so its frames stand for the compiler's time (Wasm frames have no package URL).
  { component: 'Prisma query compiler (Wasm)', packages: [/^@prisma\/client\/runtime\/query_compiler_/] },
  { component: 'Prisma client', packages: [/^@prisma\//, 'prisma'] },
  {
    component: 'OpenTelemetry',
    packages: [/^@opentelemetry\//, 'require-in-the-middle', 'import-in-the-middle', 'shimmer'],
  },
  {
    component: 'node-postgres',
    packages: [
      'pg',
      'pg-protocol',
      'pg-pool',
      'pg-types',
      'pg-int8',
      'pg-connection-string',
      'pgpass',
      /^postgres-/,
    ],
  },
  { component: 'kafkajs', packages: ['kafkajs'] },
  {
    component: 'Avro and schema registry',
    packages: ['avsc', '@kafkajs/confluent-schema-registry', 'mappersmith'],
  },
  {
    component: 'fastify',
    packages: [
      'fastify',
      /^@fastify\//,
      'find-my-way',
      'avvio',
      'light-my-request',
      'fast-json-stringify',
      'fast-querystring',
      'fast-decode-uri-component',
      'fastify-plugin',
    ],
  },
  {
    component: 'pino',
    packages: [
      'pino',
      'pino-std-serializers',
      'pino-abstract-transport',
      'sonic-boom',
      'thread-stream',
      'fast-redact',
      '@pinojs/redact',
      'quick-format-unescaped',
      'atomic-sleep',
      'on-exit-leak-free',
    ],
  },
  { component: 'prom-client', packages: ['prom-client', 'tdigest', 'bintrees'] },
  { component: 'tsx (TypeScript loader)', packages: ['tsx', 'esbuild', 'get-tsconfig'] },
];

export const PROJECT_CODE = 'project code';
export const SOURCE_MAP_STACK_TRACES = 'stack traces with source maps';

/** A script URL as a file path: `file:///a%20b/c.js` -> `/a b/c.js`; other URLs unchanged. */
export function scriptPath(url: string): string {
  if (!url.startsWith('file://')) return url;
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url.slice('file://'.length);
  }
}

/** `.../node_modules/@scope/name/lib/x.js` -> `@scope/name/lib/x.js` (the innermost node_modules). */
export function pathInPackage(path: string): string | undefined {
  const at = path.lastIndexOf('/node_modules/');
  return at < 0 ? undefined : path.slice(at + '/node_modules/'.length);
}

function packageName(inPackage: string): string {
  const parts = inPackage.split('/');
  return (inPackage.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/**
 * The component of a frame's script, or undefined (Node's own modules, native code, Wasm, a
 * script outside the workspace). A package outside the groups above is its own component, named
 * after it. The project's Prisma clients are generated into `src/generated/prisma/`: Prisma's.
 */
export function componentOfScript(url: string, workspaceRoot: string): string | undefined {
  if (url.startsWith('node:internal/source_map/')) return SOURCE_MAP_STACK_TRACES;
  const path = scriptPath(url);
  const inPackage = pathInPackage(path);
  if (inPackage !== undefined) {
    const name = packageName(inPackage);
    const group = packageGroups.find(({ packages }) =>
      packages.some((p) => (typeof p === 'string' ? p === name : p.test(inPackage))),
    );
    return group?.component ?? name;
  }
  const root = workspaceRoot.endsWith('/') ? workspaceRoot : `${workspaceRoot}/`;
  if (!path.startsWith(root)) return undefined;
  return /\/src\/generated\/prisma\//.test(path) ? 'Prisma client' : PROJECT_CODE;
}

/** Where a function lives, short: `pg/lib/client.js`, `libs/outbox/src/relay.ts`, `node:net`, `(native)`. */
export function shortFile(url: string, workspaceRoot: string): string {
  if (url === '') return '(native)';
  const path = scriptPath(url);
  const inPackage = pathInPackage(path);
  if (inPackage !== undefined) return inPackage;
  const root = workspaceRoot.endsWith('/') ? workspaceRoot : `${workspaceRoot}/`;
  return path.startsWith(root) ? path.slice(root.length) : path;
}
