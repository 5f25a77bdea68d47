import type { AvroEnumJson, AvroFixedJson, AvroRecordJson, AvroSchemaJson } from '../avro-schema-json';

export type AvroNamedJson = AvroRecordJson | AvroEnumJson | AvroFixedJson;

/**
 * The JavaScript value avsc reads and writes for each primitive, with the options the codec uses:
 * no logical types registered, unions unwrapped. `long` is a number: amounts are cents and 2^53
 * cents is far beyond any order, and avsc refuses (never rounds) a long outside the safe-integer
 * range, both when writing and when reading.
 */
const PRIMITIVES: Readonly<Record<string, string>> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

export function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/**
 * The TypeScript type of values of `schema`. Named types defined inline (records, enums, fixed)
 * are handed to `onNamedType`, to be declared once at top level, and referred to by name.
 */
export function typeExpression(schema: AvroSchemaJson, onNamedType: (named: AvroNamedJson) => void): string {
  if (typeof schema === 'string') return PRIMITIVES[schema] ?? shortName(schema);
  if (Array.isArray(schema)) return unionExpression(schema, onNamedType);
  switch (schema.type) {
    case 'record':
    case 'enum':
    case 'fixed':
      onNamedType(schema);
      return shortName(schema.name);
    case 'array': {
      const items = typeExpression(schema.items, onNamedType);
      return `readonly ${items.includes('|') ? `(${items})` : items}[]`;
    }
    case 'map':
      return `Readonly<Record<string, ${typeExpression(schema.values, onNamedType)}>>`;
    default:
      // A primitive with a logical type: the codec implements none, so the value is the primitive's
      // (timestamp-millis: a number of epoch milliseconds; uuid: a string).
      return PRIMITIVES[schema.type] ?? shortName(schema.type);
  }
}

function unionExpression(branches: AvroSchemaJson[], onNamedType: (named: AvroNamedJson) => void): string {
  // Unwrapped, a union of null and one type is that type's value or null. With two or more non-null
  // branches a value can be ambiguous (avsc then wants wrapped values, { string: 'x' }), so only
  // nullable unions are supported.
  if (branches.filter((branch) => branch !== 'null').length > 1) {
    throw new Error(`unsupported union ${JSON.stringify(branches)}: only ["null", T] unions are supported`);
  }
  const types = branches.map((branch) => typeExpression(branch, onNamedType));
  return [...types.filter((type) => type !== 'null'), ...types.filter((type) => type === 'null')].join(' | ');
}

/** `/** text *\/` for a doc attribute, or nothing. */
export function docComment(doc: string | undefined): string {
  return doc ? `/** ${doc.replace(/\*\//g, '*\\/')} */\n` : '';
}

/** The top-level declaration of a named type (a record's fields in their schema order). */
export function namedTypeDeclaration(
  named: AvroNamedJson,
  onNamedType: (named: AvroNamedJson) => void,
  { extendsType, skipFields = 0 }: { extendsType?: string; skipFields?: number } = {},
): string {
  const name = shortName(named.name);
  switch (named.type) {
    case 'enum':
      return `${docComment(named.doc)}export type ${name} = ${named.symbols.map((symbol) => `'${symbol}'`).join(' | ')};\n`;
    case 'fixed':
      return `export type ${name} = Buffer;\n`;
    case 'record': {
      const fields = named.fields
        .slice(skipFields)
        .map(
          (field) =>
            `${docComment(field.doc)}readonly ${field.name}: ${typeExpression(field.type, onNamedType)};`,
        );
      const heritage = extendsType ? ` extends ${extendsType}` : '';
      return `${docComment(named.doc)}export interface ${name}${heritage} {\n${fields.join('\n')}\n}\n`;
    }
  }
}
