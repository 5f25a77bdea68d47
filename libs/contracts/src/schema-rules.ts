import { Type } from 'avsc';

import { canonicalJson } from './canonical-json';
import { EVENT_NAMESPACE } from './event-namespace';
import type { SchemaFile } from './schema-files';

/** A rule a schema file breaks, worded for the person who has to fix it. */
export interface SchemaProblem {
  file: string;
  message: string;
}

/** Every event starts with these fields, defined identically in every schema. */
export const METADATA_FIELDS = ['eventId', 'occurredAt', 'correlationId', 'causationId'] as const;

/**
 * The rules the rest of the library relies on: each file is valid Avro; the record is named after
 * its folder in {@link EVENT_NAMESPACE} (the decoder finds the event type from the writer's record
 * name); versions count 1, 2, 3 without gaps; the metadata fields come first and are the same
 * everywhere (they become one `EventMetadata` type).
 */
export function checkSchemaRules(files: readonly SchemaFile[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const reference = files[0];
  for (const file of files) {
    const problem = (message: string) => problems.push({ file: file.path, message });
    try {
      // The JSON's shape is exactly what avsc validates here.
      Type.forSchema(file.schema as Parameters<typeof Type.forSchema>[0]);
    } catch (error) {
      problem(`not a valid Avro schema: ${(error as Error).message}`);
      continue;
    }
    const { type, name, namespace } = file.schema;
    if (type !== 'record' || name !== file.eventType) {
      problem(`must be a record named after its folder, "${file.eventType}" (found ${type} "${name}")`);
    }
    if (namespace !== EVENT_NAMESPACE) {
      problem(`namespace must be "${EVENT_NAMESPACE}" (found "${namespace ?? ''}")`);
    }
    const leading = metadataFieldsOf(file);
    if (leading.map((field) => field.name).join() !== METADATA_FIELDS.join()) {
      problem(`must start with the metadata fields ${METADATA_FIELDS.join(', ')}, in that order`);
    } else if (reference && canonicalJson(leading) !== canonicalJson(metadataFieldsOf(reference))) {
      problem(`metadata fields must be defined exactly as in ${reference.path}`);
    }
  }
  for (const [eventType, versions] of versionsByEventType(files)) {
    const expected = versions.map((_, index) => index + 1);
    if (versions.join() !== expected.join()) {
      problems.push({
        file: `${eventType}/`,
        message: `versions must be v1..v${versions.length} without gaps (found v${versions.join(', v')})`,
      });
    }
  }
  return problems;
}

/** The leading fields that should be the metadata; files are untrusted JSON, hence the fallback. */
function metadataFieldsOf(file: SchemaFile) {
  return (file.schema.fields ?? []).slice(0, METADATA_FIELDS.length);
}

function versionsByEventType(files: readonly SchemaFile[]): Map<string, number[]> {
  const versions = new Map<string, number[]>();
  for (const file of files)
    versions.set(file.eventType, [...(versions.get(file.eventType) ?? []), file.version]);
  return versions;
}
