/**
 * Avro schemas as the JSON written in `schemas/<EventType>/v<N>.avsc`. The code generator and the
 * compatibility check read this form rather than avsc's parsed types because avsc drops what it
 * does not implement, such as `logicalType` and docs, and both matter here.
 */
export type AvroSchemaJson =
  | string // a primitive type name, or the name of a type defined earlier in the same schema
  | AvroSchemaJson[] // a union
  | AvroRecordJson
  | AvroEnumJson
  | AvroArrayJson
  | AvroMapJson
  | AvroFixedJson
  | AvroAnnotatedPrimitiveJson;

export interface AvroRecordJson {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: AvroFieldJson[];
}

export interface AvroFieldJson {
  name: string;
  type: AvroSchemaJson;
  default?: unknown;
  doc?: string;
}

export interface AvroEnumJson {
  type: 'enum';
  name: string;
  namespace?: string;
  doc?: string;
  symbols: string[];
  default?: string;
}

export interface AvroArrayJson {
  type: 'array';
  items: AvroSchemaJson;
}

export interface AvroMapJson {
  type: 'map';
  values: AvroSchemaJson;
}

export interface AvroFixedJson {
  type: 'fixed';
  name: string;
  namespace?: string;
  size: number;
}

/** A primitive written as an object, e.g. `{ "type": "long", "logicalType": "timestamp-millis" }`. */
export interface AvroAnnotatedPrimitiveJson {
  type: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';
  logicalType?: string;
}
