import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { canonicalJson } from '../canonical-json';
import { schemasDirectory, type SchemaFile } from '../schema-files';
import type { SchemaProblem } from '../schema-rules';

/** The fingerprint of every published version: `schemas/fingerprints.json`. */
export type Fingerprints = Readonly<Record<string, string>>;

export const fingerprintsPath = join(schemasDirectory, 'fingerprints.json');
export const RECORD_COMMAND = 'npx tsx libs/contracts/src/compatibility/cli.ts record-new-versions';

/**
 * SHA-256 of the schema's canonical JSON (keys sorted, no whitespace): reformatting a file does not
 * change it, any other edit does. Not Avro's Parsing Canonical Form (avsc's `fingerprint()`): that
 * form drops defaults, docs and logical types, so changing a published field's default, which
 * changes what readers see, would go unnoticed.
 */
export function fingerprintOf(file: SchemaFile): string {
  return createHash('sha256').update(canonicalJson(file.schema)).digest('hex');
}

/** Published versions are immutable: each must still exist and match its recorded fingerprint. */
export function checkFingerprints(files: readonly SchemaFile[], recorded: Fingerprints): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const present = new Set(files.map((file) => file.path));
  for (const file of files) {
    const fingerprint = recorded[file.path];
    if (fingerprint === undefined) {
      problems.push({
        file: file.path,
        message: `new version, not yet recorded as published: run \`${RECORD_COMMAND}\` and commit schemas/fingerprints.json`,
      });
    } else if (fingerprint !== fingerprintOf(file)) {
      const next =
        Math.max(
          ...files.filter((other) => other.eventType === file.eventType).map((other) => other.version),
        ) + 1;
      problems.push({
        file: file.path,
        message: `this published version was edited; published versions never change (data written with it exists): revert the edit and add a new version instead (${file.eventType}/v${next}.avsc)`,
      });
    }
  }
  for (const path of Object.keys(recorded).filter((path) => !present.has(path))) {
    problems.push({
      file: path,
      message:
        'this published version was deleted: restore it, consumers may still meet data written with it',
    });
  }
  return problems;
}

/** Adds the fingerprints of versions not recorded yet; recorded ones are kept as they are. */
export function withNewVersions(
  files: readonly SchemaFile[],
  recorded: Fingerprints,
): { fingerprints: Fingerprints; added: string[] } {
  const added = files.filter((file) => recorded[file.path] === undefined);
  const entries = [
    ...Object.entries(recorded),
    ...added.map((file) => [file.path, fingerprintOf(file)] as const),
  ];
  return {
    fingerprints: Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    added: added.map((file) => file.path),
  };
}

export function readFingerprints(path = fingerprintsPath): Fingerprints {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Fingerprints) : {};
}

export function writeFingerprints(fingerprints: Fingerprints, path = fingerprintsPath): void {
  writeFileSync(path, `${JSON.stringify(fingerprints, null, 2)}\n`);
}
