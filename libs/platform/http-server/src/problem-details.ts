import { Type, type Static } from '@sinclair/typebox';

/** The media type of every error response (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One input that failed validation: where it was, a JSON pointer into that part, and why. */
export const FieldError = Type.Object({
  in: Type.Union([
    Type.Literal('body'),
    Type.Literal('params'),
    Type.Literal('querystring'),
    Type.Literal('headers'),
  ]),
  field: Type.String({ description: "JSON pointer into the request part ('' is the part itself)" }),
  message: Type.String(),
});
export type FieldError = Static<typeof FieldError>;

/**
 * An error response, RFC 9457 members plus `code` (the stable machine-readable name clients branch
 * on) and, for 400 validation failures, `errors`. More members may follow: a domain error's extras.
 * Registered as a shared schema, so it is the `ProblemDetails` component of the OpenAPI document
 * and a route may declare `response: { 404: Type.Ref(ProblemDetails) }`.
 */
export const ProblemDetails = Type.Object(
  {
    type: Type.String({ description: 'urn:problem:<code in kebab case>' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    instance: Type.Optional(Type.String({ description: 'the request path' })),
    code: Type.String({ description: 'stable error code, e.g. UNKNOWN_SKU' }),
    errors: Type.Optional(Type.Array(FieldError)),
  },
  { $id: 'ProblemDetails', additionalProperties: true },
);
export type ProblemDetails = Static<typeof ProblemDetails> & Record<string, unknown>;

/**
 * `UNKNOWN_SKU` -> `urn:problem:unknown-sku`. An absolute URI that identifies the problem type and
 * is not meant to be fetched (RFC 9457 allows that), so no documentation server has to exist for it.
 */
export function problemType(code: string): string {
  return `urn:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}
