/**
 * JSON with object keys sorted and no whitespace: two schema texts that differ only in formatting
 * or key order give the same string. Array order is kept: in Avro it means something (field order,
 * union branches, enum symbols).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) =>
    nested !== null && typeof nested === 'object' && !Array.isArray(nested)
      ? Object.fromEntries(Object.entries(nested).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : nested,
  );
}
