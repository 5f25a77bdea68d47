import { readSchemaFiles, schemasDirectory, type SchemaFile } from '../schema-files';
import { checkSchemaRules, type SchemaProblem } from '../schema-rules';
import { checkCompatibility } from './check-compatibility';
import {
  checkFingerprints,
  fingerprintsPath,
  readFingerprints,
  withNewVersions,
  writeFingerprints,
  type Fingerprints,
} from './fingerprints';

/** Everything the schema files must satisfy before any registry sees them. */
export function checkContracts(files: readonly SchemaFile[], fingerprints: Fingerprints): SchemaProblem[] {
  return [
    ...checkSchemaRules(files),
    ...checkCompatibility(files),
    ...checkFingerprints(files, fingerprints),
  ];
}

const ADVICE =
  'Published versions never change, and every new version must read all earlier ones. To change an event, ' +
  'add its next version: a new field needs a default; a field never changes its type (add a new field instead).';

export function formatReport(problems: readonly SchemaProblem[]): string {
  if (problems.length === 0) return 'event schemas: all versions valid, compatible and unchanged';
  const lines = problems.map(({ file, message }) => `  ${file}: ${message}`);
  return [
    `event schemas: ${problems.length} problem(s) in libs/contracts/schemas`,
    ...lines,
    '',
    ADVICE,
  ].join('\n');
}

export interface CheckLocations {
  schemas: string;
  fingerprints: string;
}

/**
 * The CLI: `check` (the default) reports every problem; `record-new-versions` records the
 * fingerprints of new version files, once everything else passes. Returns the exit code.
 */
export function runContractsCli(
  args: readonly string[],
  locations: CheckLocations = { schemas: schemasDirectory, fingerprints: fingerprintsPath },
  log: (line: string) => void = console.log,
): number {
  const [command = 'check'] = args;
  const files = readSchemaFiles(locations.schemas);
  const recorded = readFingerprints(locations.fingerprints);
  if (command === 'check') {
    const problems = checkContracts(files, recorded);
    log(formatReport(problems));
    return problems.length === 0 ? 0 : 1;
  }
  if (command === 'record-new-versions') {
    const { fingerprints, added } = withNewVersions(files, recorded);
    const problems = checkContracts(files, fingerprints);
    if (problems.length > 0) {
      log(`nothing recorded:\n${formatReport(problems)}`);
      return 1;
    }
    writeFingerprints(fingerprints, locations.fingerprints);
    log(added.length > 0 ? `recorded ${added.join(', ')}` : 'no new versions to record');
    return 0;
  }
  log(`unknown command "${command}"; use check (default) or record-new-versions`);
  return 2;
}
