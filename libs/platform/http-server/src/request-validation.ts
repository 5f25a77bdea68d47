import Ajv, { type AnySchema, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Fastify's defaults, changed where they would let bad input through quietly:
 * - `allErrors`: report every invalid field at once, not the first; the 256 KiB body limit bounds
 *   the work a hostile body can cause.
 * - `removeAdditional: false`: a property a schema does not allow (`additionalProperties: false`)
 *   is refused, not silently dropped.
 * - `useDefaults`: schema defaults are filled in, as Fastify does.
 */
const shared: Options = { allErrors: true, removeAdditional: false, useDefaults: true, addUsedSchema: false };

function createAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ ...shared, coerceTypes });
  addFormats(ajv);
  return ajv;
}

/**
 * Two validators, because the parts of a request differ. Params, querystring and headers arrive as
 * text, so `"10"` must become the integer a schema asks for, and one `?tag=a` the array it asks for
 * (`coerceTypes: 'array'`). A JSON body already has types, so it is checked as sent: `"5"` is not a
 * quantity and `5` is not a name (`coerceTypes: false`).
 *
 * Request schemas are compiled as written: write them inline with TypeBox (compose by value), not
 * as `$ref`s to shared schemas, which this compiler does not load.
 */
export function requestValidatorCompiler(): FastifySchemaCompiler<AnySchema> {
  const body = createAjv(false);
  const text = createAjv('array');
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema);
}
