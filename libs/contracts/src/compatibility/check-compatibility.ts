import { Type } from 'avsc';

import type { SchemaFile } from '../schema-files';
import type { SchemaProblem } from '../schema-rules';

/**
 * BACKWARD: every version reads data written with every earlier version, so a consumer upgraded
 * to the newest schema reads anything still in the topics. FULL adds FORWARD, every version also
 * readable by every earlier one: during a rollout, v1 and v2 services run side by side and read
 * each other's events.
 */
export type CompatibilityMode = 'BACKWARD' | 'FULL';

/**
 * BACKWARD unless listed. FULL where producers and consumers of different versions run side by side
 * during a rollout: OrderPlaced (v1 and v2 producers and consumers interoperate) and ProductUpserted
 * (an inventory-service writing v2 before every order-service reads it).
 */
export const compatibilityModes: Readonly<Record<string, CompatibilityMode>> = {
  OrderPlaced: 'FULL',
  ProductUpserted: 'FULL',
};

/** Every pair of versions of one event that cannot read each other as the mode requires. */
export function checkCompatibility(
  files: readonly SchemaFile[],
  modes: Readonly<Record<string, CompatibilityMode>> = compatibilityModes,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const parsed = files.flatMap((file) => {
    const type = parse(file);
    return type ? [{ file, type }] : []; // unparseable files are the schema rules' to report
  });
  for (const newer of parsed) {
    const mode = modes[newer.file.eventType] ?? 'BACKWARD';
    for (const older of parsed) {
      if (older.file.eventType !== newer.file.eventType || older.file.version >= newer.file.version) continue;
      const backward = resolutionError(newer.type, older.type);
      if (backward) {
        problems.push({
          file: newer.file.path,
          message: `v${newer.file.version} cannot read data written with v${older.file.version} (BACKWARD): ${backward}`,
        });
      }
      const forward = mode === 'FULL' ? resolutionError(older.type, newer.type) : undefined;
      if (forward) {
        problems.push({
          file: newer.file.path,
          message: `v${older.file.version} cannot read data written with v${newer.file.version} (FORWARD, as ${newer.file.eventType} is FULL): ${forward}`,
        });
      }
    }
  }
  return problems;
}

function parse(file: SchemaFile): Type | undefined {
  try {
    return Type.forSchema(file.schema as Parameters<typeof Type.forSchema>[0]);
  } catch {
    return undefined;
  }
}

/** Avro schema resolution, as avsc implements it: why `reader` cannot read `writer`'s data, if it cannot. */
function resolutionError(reader: Type, writer: Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
