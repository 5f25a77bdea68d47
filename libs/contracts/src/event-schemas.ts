import { Type } from 'avsc';

import type { AvroRecordJson } from './avro-schema-json';
import { EVENT_NAMESPACE } from './event-namespace';
import { eventSchemaVersions } from './generated/event-schemas';
import { eventTypes, type EventType } from './generated/event-types';

/**
 * How every event schema becomes an avsc type. No logical types are registered, so avsc reads
 * timestamp-millis and uuid as the long and string they annotate (the number and string the
 * generated types declare) instead of converting to Date or anything else. Unions stay unwrapped
 * (`string | null`, not `{ string: 'x' }`), and decoded records carry no avsc methods.
 */
const AVRO_TYPE_OPTIONS = { wrapUnions: 'never', omitRecordMethods: true } as const;

const knownEventTypes: ReadonlySet<string> = new Set(eventTypes);
const avroTypes = new Map<string, Type>();

export function isEventType(value: string): value is EventType {
  return knownEventTypes.has(value);
}

/** The event type a writer schema's full record name stands for, if it is one of ours. */
export function eventTypeOfRecord(fullName: string | undefined): EventType | undefined {
  const prefix = `${EVENT_NAMESPACE}.`;
  if (!fullName?.startsWith(prefix)) return undefined;
  const name = fullName.slice(prefix.length);
  return isEventType(name) ? name : undefined;
}

/** The version producers write: the highest committed one. */
export function latestVersion(eventType: EventType): number {
  return Math.max(...Object.keys(versionsOf(eventType)).map(Number));
}

/** Every committed version of an event's schema, oldest first. */
export function schemaVersions(eventType: EventType): number[] {
  return Object.keys(versionsOf(eventType))
    .map(Number)
    .sort((a, b) => a - b);
}

/** One version of an event's schema as committed in `schemas/<EventType>/v<N>.avsc`. */
export function eventSchema(eventType: EventType, version = latestVersion(eventType)): AvroRecordJson {
  const schema = versionsOf(eventType)[version];
  if (!schema) throw new Error(`${eventType} has no schema version ${version}`);
  return schema;
}

/** The avsc type of one version of an event's schema, parsed once. */
export function eventAvroType(eventType: EventType, version = latestVersion(eventType)): Type {
  const key = `${eventType}/v${version}`;
  let type = avroTypes.get(key);
  if (!type) {
    // The committed JSON is valid Avro: the schema rules check every file before it is embedded.
    // A fresh options object each time: avsc stores the named types it defines in `options.registry`,
    // so a shared one makes the second schema that defines StockLine fail as a duplicate.
    type = Type.forSchema(eventSchema(eventType, version) as Parameters<typeof Type.forSchema>[0], {
      ...AVRO_TYPE_OPTIONS,
    });
    avroTypes.set(key, type);
  }
  return type;
}

function versionsOf(eventType: EventType): Readonly<Record<number, AvroRecordJson>> {
  const versions = eventSchemaVersions[eventType] as (typeof eventSchemaVersions)[EventType] | undefined;
  // Reachable from JavaScript callers or a cast; the types rule it out.
  if (!versions) {
    throw new Error(`unknown event type "${String(eventType)}"; known: ${eventTypes.join(', ')}`);
  }
  return versions;
}
