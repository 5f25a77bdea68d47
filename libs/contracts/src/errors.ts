/** One way a payload does not match its schema. Values are not quoted: payloads carry personal data. */
export interface PayloadIssue {
  /** Where, e.g. `items[0].quantity`; empty for the payload itself. */
  path: string;
  /** What the schema wants there, e.g. `int`, `string | null`, or `no such field`. */
  expected: string;
  /** What was there: a JavaScript type (`string`, `number`, `array`, `null`), or `missing`. */
  actual: string;
}

/** An event about to be written does not match its schema; nothing was encoded. */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
  readonly code = 'EVENT_CONTRACT_VIOLATION';
  /** Consumers dead-letter it at once: the same payload will never match. */
  readonly retriable = false;

  constructor(
    readonly eventType: string,
    readonly version: number,
    readonly issues: readonly PayloadIssue[],
  ) {
    const list = issues.map(
      ({ path, expected, actual }) => `${path || '(payload)'}: expected ${expected}, got ${actual}`,
    );
    super(`${eventType} payload does not match schema v${version}: ${list.join('; ')}`);
  }
}

/**
 * Why bytes could not be read as one of our events. Each is permanent for that message: retrying
 * cannot help, so a consumer should set it aside (dead-letter it) rather than retry.
 */
export type MalformedEventCode =
  /** Shorter than the 5-byte header (magic byte, schema id), or the body ends early. */
  | 'TRUNCATED'
  /** The first byte is not the Confluent wire format's magic byte 0. */
  | 'BAD_MAGIC_BYTE'
  /** The registry knows no schema with the id in the header. */
  | 'UNKNOWN_SCHEMA_ID'
  /** The writer schema is not one of our event records. */
  | 'NOT_AN_EVENT'
  /** The writer schema is one of our events, but this codec's version cannot read it. */
  | 'INCOMPATIBLE_WRITER_SCHEMA'
  /** The body does not decode with the writer schema (corrupt, trailing bytes, unsafe long). */
  | 'INVALID_BODY';

export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
  /** Consumers dead-letter it at once: the same bytes will never decode. */
  readonly retriable = false;

  constructor(
    readonly code: MalformedEventCode,
    message: string,
    readonly schemaId?: number,
    options?: ErrorOptions,
  ) {
    super(`${code}: ${message}`, options);
  }
}

export type SchemaRegistrationCode =
  /** The registry refused the schema as incompatible with the subject's earlier versions (HTTP 409). */
  | 'SCHEMA_INCOMPATIBLE'
  /** Anything else: registry unreachable, misconfigured subject, ... */
  | 'REGISTRATION_FAILED';

/** The registry did not accept one of our schemas; the service must not start producing. */
export class SchemaRegistrationError extends Error {
  override readonly name = 'SchemaRegistrationError';

  constructor(
    readonly code: SchemaRegistrationCode,
    readonly subject: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The registry could not be reached while reading a writer schema, did not answer within the
 * request deadline, or answered with a failure of its own (5xx, 408, 429). Nothing is wrong with
 * the message: a consumer waits for the registry (an outage) rather than dead-lettering it.
 */
export class SchemaRegistryUnreachableError extends Error {
  override readonly name = 'SchemaRegistryUnreachableError';
  readonly code = 'SCHEMA_REGISTRY_UNREACHABLE';
  /** Read by the consumer runtime: retry until it ends, without spending the message's attempts. */
  readonly outage = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
