import { STATUS_CODES } from 'node:http';

export interface DomainErrorOptions {
  /** Stable, SCREAMING_SNAKE name clients can branch on, e.g. `UNKNOWN_SKU`; also gives the `type`. */
  code: string;
  /** HTTP status, 400-599. */
  status: number;
  /** Short summary of the problem type, the same for every occurrence. Defaults to the status text. */
  title?: string;
  /** What went wrong this time, for a human. It is sent to the client: no secrets, no internals. */
  detail: string;
  /** Extra problem members, e.g. `{ sku }`; they cannot replace the standard ones. */
  extensions?: Record<string, unknown>;
}

/**
 * A refusal the service means to send: thrown anywhere in a request, the error handler answers it
 * as `application/problem+json` with its status, code and detail. Anything else thrown is a 500.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly extensions: Record<string, unknown>;

  constructor({ code, status, title, detail, extensions = {} }: DomainErrorOptions) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`a DomainError status is 400-599, got ${status}`);
    }
    super(detail);
    this.name = 'DomainError';
    this.code = code;
    this.status = status;
    this.title = title ?? STATUS_CODES[status] ?? 'Error';
    this.detail = detail;
    this.extensions = extensions;
  }
}

type FactoryOptions = Omit<DomainErrorOptions, 'status'>;

/** 404: the thing the request names does not exist. */
export const notFound = (options: FactoryOptions): DomainError =>
  new DomainError({ ...options, status: 404 });

/** 409: the request contradicts the current state (e.g. stock below what is reserved). */
export const conflict = (options: FactoryOptions): DomainError =>
  new DomainError({ ...options, status: 409 });

/** 422: well-formed input the domain refuses (e.g. an unknown SKU in an order). */
export const unprocessable = (options: FactoryOptions): DomainError =>
  new DomainError({ ...options, status: 422 });
