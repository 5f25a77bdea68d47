import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { AvroRecordJson } from './avro-schema-json';

/** `libs/contracts/schemas`: one folder per event type, one `v<N>.avsc` file per version. */
export const schemasDirectory = join(__dirname, '..', 'schemas');

const VERSION_FILE = /^v([1-9]\d*)\.avsc$/;

/** One version of one event schema, as committed. */
export interface SchemaFile {
  /** Relative to the schemas folder, e.g. `OrderPlaced/v2.avsc`; names the file in every report. */
  path: string;
  /** The folder name, which must also be the record's name. */
  eventType: string;
  version: number;
  /** The parsed JSON; whether it is valid Avro is for the schema rules to say. */
  schema: AvroRecordJson;
}

/**
 * Reads every schema file, ordered by event type and version. Build-time only (code generation and
 * the compatibility check): services use the copy embedded in `generated/event-schemas.ts`, because
 * a bundled service has no `schemas` folder beside it.
 */
export function readSchemaFiles(directory = schemasDirectory): SchemaFile[] {
  const eventTypes = readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return eventTypes.flatMap((eventType) =>
    readdirSync(join(directory, eventType))
      .map((fileName) => {
        const path = `${eventType}/${fileName}`;
        const version = VERSION_FILE.exec(fileName)?.[1];
        if (!version) throw new Error(`${path}: schema files are named v<N>.avsc (v1.avsc, v2.avsc, ...)`);
        return { path, eventType, version: Number(version), schema: parseJson(directory, path) };
      })
      .sort((a, b) => a.version - b.version),
  );
}

function parseJson(directory: string, path: string): AvroRecordJson {
  try {
    return JSON.parse(readFileSync(join(directory, path), 'utf8')) as AvroRecordJson;
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

/** The latest version of each event type. */
export function latestSchemaFiles(files: readonly SchemaFile[]): SchemaFile[] {
  const latest = new Map<string, SchemaFile>();
  for (const file of files) {
    const current = latest.get(file.eventType);
    if (!current || file.version > current.version) latest.set(file.eventType, file);
  }
  return [...latest.values()];
}
