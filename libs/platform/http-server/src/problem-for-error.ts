import { STATUS_CODES } from 'node:http';

import { isDatabaseUnavailable } from '@ecommerce/database';

import { DomainError } from './domain-error';
import { problemType, type FieldError, type ProblemDetails } from './problem-details';

type RequestPart = FieldError['in'];

/** The part of an ajv error this mapping reads (Fastify's `FastifySchemaValidationError`). */
interface SchemaViolation {
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

interface FastifyValidationError {
  validation: SchemaViolation[];
  validationContext: RequestPart;
}

/** A 4xx Fastify raises itself before any handler runs: malformed JSON, body too large, media type. */
interface FastifyClientError {
  code: `FST_${string}`;
  statusCode: number;
  message: string;
}

export interface ProblemOutcome {
  problem: ProblemDetails;
  /** True for a 500 or 503: a bug or an outage, to be logged with the error; false for a refused request. */
  unexpected: boolean;
  /** For a 503: when to try again (the `Retry-After` header). */
  retryAfterSeconds?: number;
}

/** A database outage is short (a restart, a failover): clients are told to come back soon. */
const DATABASE_RETRY_AFTER_SECONDS = 2;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isValidationError(error: unknown): error is FastifyValidationError {
  return (
    isRecord(error) && Array.isArray(error['validation']) && typeof error['validationContext'] === 'string'
  );
}

function isFastifyClientError(error: unknown): error is FastifyClientError {
  return (
    error instanceof Error &&
    isRecord(error) &&
    typeof error['code'] === 'string' &&
    error['code'].startsWith('FST_') &&
    typeof error['statusCode'] === 'number' &&
    error['statusCode'] >= 400 &&
    error['statusCode'] < 500
  );
}

/** `Payload Too Large` -> `PAYLOAD_TOO_LARGE`: the code of a problem that is only its HTTP status. */
function statusCode(status: number): string {
  return (STATUS_CODES[status] ?? 'Error').toUpperCase().replaceAll(/[^A-Z0-9]+/g, '_');
}

function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * ajv reports a missing or an unknown property at its parent object; the pointer names the
 * property itself, so a client can put the message next to the right field.
 */
function fieldPointer({ instancePath, params }: SchemaViolation): string {
  const property = params['missingProperty'] ?? params['additionalProperty'];
  return typeof property === 'string' ? `${instancePath}/${escapePointerToken(property)}` : instancePath;
}

function problem(code: string, status: number, detail: string, instance: string): ProblemDetails {
  return { type: problemType(code), title: STATUS_CODES[status] ?? 'Error', status, detail, instance, code };
}

/**
 * Maps anything a request threw to the problem to answer. Only what the service chose to say
 * (a `DomainError`, Fastify's description of a malformed request) reaches the client; any other
 * error becomes a 500 whose detail says nothing of it.
 */
export function problemForError(error: unknown, instance: string): ProblemOutcome {
  if (error instanceof DomainError) {
    return {
      // Extensions first, so they can add members but never replace the standard ones.
      problem: {
        ...error.extensions,
        type: problemType(error.code),
        title: error.title,
        status: error.status,
        detail: error.detail,
        instance,
        code: error.code,
      },
      unexpected: false,
    };
  }
  if (isValidationError(error)) {
    const part = error.validationContext;
    const errors: FieldError[] = error.validation.map((violation) => ({
      in: part,
      field: fieldPointer(violation),
      message: violation.message ?? 'is invalid',
    }));
    return {
      problem: {
        ...problem('VALIDATION_FAILED', 400, `The request ${part} is invalid; see errors.`, instance),
        errors,
      },
      unexpected: false,
    };
  }
  if (isFastifyClientError(error)) {
    return {
      problem: problem(statusCode(error.statusCode), error.statusCode, error.message, instance),
      unexpected: false,
    };
  }
  if (isDatabaseUnavailable(error)) {
    // Nothing was done (the transaction did not commit): the same request may simply be sent again.
    return {
      problem: problem(
        'DATABASE_UNAVAILABLE',
        503,
        'The service cannot reach its database right now; nothing was changed. Retry later.',
        instance,
      ),
      unexpected: true,
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    };
  }
  return {
    problem: problem('INTERNAL_SERVER_ERROR', 500, 'The server could not handle the request.', instance),
    unexpected: true,
  };
}

/** The answer to a request no route matches. */
export function routeNotFoundProblem(method: string, url: string): ProblemDetails {
  return problem('NOT_FOUND', 404, `No route for ${method} ${url.split('?')[0]}.`, url);
}
