import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { canonicalJson } from '../canonical-json';
import { latestSchemaFiles, type SchemaFile } from '../schema-files';
import { checkSchemaRules, METADATA_FIELDS } from '../schema-rules';
import { namedTypeDeclaration, shortName, type AvroNamedJson } from './typescript-types';

/*
 * Own code rather than a library: avsc has no TypeScript generator, and the types must match
 * exactly how the codec configures avsc (longs as numbers, no logical types, nullable unions
 * unwrapped) and share one EventMetadata base. That fits in two small files, and a test compares
 * the committed output with a fresh run.
 */

export const generatedDirectory = join(__dirname, '..', 'generated');
export const REGENERATE_COMMAND = 'npx tsx libs/contracts/src/codegen/cli.ts';

const HEADER =
  `// Generated from libs/contracts/schemas by \`${REGENERATE_COMMAND}\`. Do not edit: change the\n` +
  '// schemas (add a version) and regenerate; a test fails while this file and the schemas disagree.\n\n';

export interface GeneratedSource {
  path: string;
  content: string;
}

/** The generated files for these schema files, formatted as `prettier --write` would leave them. */
export function generateSources(files: readonly SchemaFile[]): GeneratedSource[] {
  const problems = checkSchemaRules(files);
  if (problems.length > 0) {
    const list = problems.map(({ file, message }) => `  ${file}: ${message}`).join('\n');
    throw new Error(`cannot generate types from schemas that break the rules:\n${list}`);
  }
  return [
    formatted(join(generatedDirectory, 'event-types.ts'), eventTypesSource(files)),
    formatted(join(generatedDirectory, 'event-schemas.ts'), eventSchemasSource(files)),
  ];
}

/**
 * Formats with the workspace's prettier and settings, so `npm run format` leaves generated files
 * alone. Through its CLI: prettier's API loads itself with a dynamic import, which jest's CommonJS
 * runtime refuses.
 */
function formatted(path: string, source: string): GeneratedSource {
  const prettier = require.resolve('prettier/bin/prettier.cjs');
  const content = execFileSync(process.execPath, [prettier, '--stdin-filepath', path], {
    input: source,
    encoding: 'utf8',
  });
  return { path, content };
}

/**
 * The TypeScript types of the latest version of every event (what producers write): `EventType`,
 * `EventMetadata`, one interface per event and per named type inside events, `EventPayloads`.
 */
function eventTypesSource(files: readonly SchemaFile[]): string {
  const latest = latestSchemaFiles(files);
  const [first] = latest;
  if (!first) throw new Error('no schema files to generate types from');
  const namedTypes = new Map<string, { canonical: string; file: string; declaration: string }>();
  const declareNamedType = (file: string) =>
    function onNamedType(named: AvroNamedJson): void {
      const name = shortName(named.name);
      const existing = namedTypes.get(name);
      if (existing) {
        if (existing.canonical === canonicalJson(named)) return;
        throw new Error(
          `${file}: named type ${name} differs from its definition in ${existing.file}; one name, one shape (rename one of them)`,
        );
      }
      const entry = { canonical: canonicalJson(named), file, declaration: '' };
      namedTypes.set(name, entry);
      entry.declaration = namedTypeDeclaration(named, onNamedType);
    };

  // The schema rules guarantee every event starts with the same metadata fields: declare them once.
  const metadataSchema = {
    ...first.schema,
    name: 'EventMetadata',
    doc: 'The fields every event starts with.',
    fields: first.schema.fields.slice(0, METADATA_FIELDS.length),
  };
  const metadata = namedTypeDeclaration(metadataSchema, declareNamedType(first.path));
  const events = latest.map((file) =>
    namedTypeDeclaration(file.schema, declareNamedType(file.path), {
      extendsType: 'EventMetadata',
      skipFields: METADATA_FIELDS.length,
    }),
  );
  const nested = [...namedTypes.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, { declaration }]) => declaration);

  const names = latest.map((file) => file.eventType);
  return [
    HEADER,
    '/** Every event type: the record names of the schemas in libs/contracts/schemas. */\n' +
      `export const eventTypes = [${names.map((name) => `'${name}'`).join(', ')}] as const;\n`,
    'export type EventType = (typeof eventTypes)[number];\n',
    metadata,
    ...nested,
    ...events,
    '/** The payload type of each event type. */\n' +
      `export interface EventPayloads {\n${names.map((name) => `${name}: ${name};`).join('\n')}\n}\n`,
  ].join('\n');
}

/**
 * Every version of every schema, embedded: a service bundled by esbuild has no `schemas` folder at
 * run time, and a test keeps this copy identical to the files.
 */
function eventSchemasSource(files: readonly SchemaFile[]): string {
  const byEventType = new Map<string, string[]>();
  for (const file of files) {
    byEventType.set(file.eventType, [
      ...(byEventType.get(file.eventType) ?? []),
      `${file.version}: ${JSON.stringify(file.schema)}`,
    ]);
  }
  const entries = [...byEventType].map(([eventType, versions]) => `${eventType}: {${versions.join(',')}}`);
  return [
    HEADER,
    "import type { AvroRecordJson } from '../avro-schema-json';\n",
    "import type { EventType } from './event-types';\n\n",
    '/** Every version of every event schema, by event type and version number. */\n',
    'export const eventSchemaVersions: Readonly<Record<EventType, Readonly<Record<number, AvroRecordJson>>>> = ',
    `{${entries.join(',')}};\n`,
  ].join('');
}
