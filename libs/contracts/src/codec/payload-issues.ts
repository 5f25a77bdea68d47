import { Type, types } from 'avsc';

import type { PayloadIssue } from '../errors';

/**
 * Every way `payload` does not match `type`, or none. Besides avsc's own validation, a field the
 * schema does not declare is an issue: Avro would drop it silently, so a misspelled optional field
 * (`causationID`) or a field of a newer version would vanish without a trace.
 */
export function payloadIssues(type: Type, payload: unknown): PayloadIssue[] {
  const issues: PayloadIssue[] = [];
  type.isValid(payload, {
    errorHook: (path, value, invalidType) =>
      issues.push({
        path: formatPath(path),
        expected: describeType(invalidType),
        actual: describeValue(value),
      }),
  });
  if (issues.length > 0) return issues;
  // avsc reports an undeclared field as a problem of the record holding it, so this second pass,
  // over an otherwise valid payload, names the fields itself.
  type.isValid(payload, {
    noUndeclaredFields: true,
    errorHook: (path, value: Record<string, unknown>, record) => {
      if (!Type.isType(record, 'record')) return;
      const declared = new Set((record as types.RecordType).fields.map((field) => field.name));
      for (const name of Object.keys(value).filter((key) => !declared.has(key))) {
        issues.push({
          path: formatPath([...path, name]),
          expected: 'no such field',
          actual: describeValue(value[name]),
        });
      }
    },
  });
  return issues;
}

/** `['items', '0', 'quantity']` -> `items[0].quantity`. */
function formatPath(path: readonly string[]): string {
  return path
    .map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join('');
}

function describeType(type: Type): string {
  if (Type.isType(type, 'union'))
    return (type as types.UnwrappedUnionType).types.map(describeType).join(' | ');
  if (Type.isType(type, 'enum'))
    return `enum ${shortName(type)} (${(type as types.EnumType).symbols.join(' | ')})`;
  if (Type.isType(type, 'array')) return `array of ${describeType((type as types.ArrayType).itemsType)}`;
  if (Type.isType(type, 'record')) return `record ${shortName(type)}`;
  return type.typeName;
}

function shortName(type: Type): string {
  return (type.name ?? '').slice((type.name ?? '').lastIndexOf('.') + 1);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return 'number (not an integer)';
    return Number.isSafeInteger(value) ? 'number' : 'number (beyond 2^53, not exact)';
  }
  if (typeof value === 'object')
    return value.constructor?.name && value.constructor !== Object ? value.constructor.name : 'object';
  return typeof value;
}
