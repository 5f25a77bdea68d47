import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Type, type Resolver } from 'avsc';

import {
  ContractViolationError,
  MalformedEventError,
  SchemaRegistrationError,
  SchemaRegistryUnreachableError,
} from '../errors';
import { eventAvroType, eventSchema, eventTypeOfRecord, latestVersion } from '../event-schemas';
import { eventTypes, type EventPayloads, type EventType } from '../generated/event-types';
import { DEFAULT_TOPIC_PREFIX, subjectFor } from '../topics';
import { assertBodyFits } from './bounded-body';
import { payloadIssues } from './payload-issues';
import { createSchemaRegistry } from './schema-registry-client';
import { readWireFormat, writeWireFormat } from './wire-format';

export type EventCodecOptions = ({ registryUrl: string } | { registry: SchemaRegistry }) & {
  /** Prefix of topic names, and so of subjects; default `ecommerce.`. Tests pass a unique one. */
  topicPrefix?: string;
  /**
   * The schema version this codec registers, writes and reads, per event type; default the latest.
   * Services leave it unset. It stands in for a service built against an older contract, to show
   * that old and new services read each other's events.
   */
  versions?: Partial<Record<EventType, number>>;
  /**
   * How long a schema id the registry does not know (404) is remembered as unknown; default
   * {@link UNKNOWN_SCHEMA_ID_TTL_MS}. Within it, messages naming that id are refused without asking
   * the registry again.
   */
  unknownSchemaIdTtlMs?: number;
};

/**
 * Unknown schema ids are remembered briefly, so a stream of hostile or corrupt messages naming the
 * same id costs the registry one request, not one per message. Briefly, because "unknown" can end:
 * a registry restored from a backup, or a replica catching up on a schema just registered
 * elsewhere, learns ids it did not have.
 */
export const UNKNOWN_SCHEMA_ID_TTL_MS = 30_000;

/** At most this many unknown ids are remembered; past it, the oldest is forgotten first. */
const MAX_REMEMBERED_UNKNOWN_IDS = 10_000;

/** A decoded event: its type (from the writer's record name), payload and writer schema id. */
export type DecodedEvent<T extends EventType = EventType> = {
  [Type in T]: { type: Type; payload: EventPayloads[Type]; schemaId: number };
}[T];

interface WriterSchema {
  eventType: EventType;
  writer: Type;
  /** Reads what the writer wrote as this codec's version of the event. */
  resolver: Resolver;
}

/**
 * Encodes and decodes events in the Confluent wire format, with the schemas registered in a
 * Confluent-compatible registry under `<topic>-com.ecommerce.events.<EventType>`.
 */
export class EventCodec {
  private readonly registry: SchemaRegistry;
  private readonly topicPrefix: string;
  private readonly versions: Partial<Record<EventType, number>>;
  private registration: Promise<ReadonlyMap<EventType, number>> | undefined;
  private readonly writers = new Map<number, Promise<WriterSchema>>();
  private readonly unknownSchemaIdTtlMs: number;
  /** Schema ids the registry answered 404 for, with when that answer expires (epoch ms), oldest first. */
  private readonly unknownSchemaIds = new Map<number, number>();

  constructor(options: EventCodecOptions) {
    this.registry =
      'registry' in options ? options.registry : createSchemaRegistry({ url: options.registryUrl });
    this.topicPrefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
    this.versions = options.versions ?? {};
    this.unknownSchemaIdTtlMs = options.unknownSchemaIdTtlMs ?? UNKNOWN_SCHEMA_ID_TTL_MS;
    // A pinned version that does not exist fails here, not at the first event.
    for (const [eventType, version] of Object.entries(this.versions) as [EventType, number][]) {
      eventSchema(eventType, version);
    }
  }

  /** The schema version of an event type this codec writes and reads. */
  versionOf(eventType: EventType): number {
    return this.versions[eventType] ?? latestVersion(eventType);
  }

  /**
   * Registers this codec's version of every event schema under its subject, with BACKWARD
   * compatibility, and resolves to the schema ids. Registering a schema the subject already has
   * returns its id, so this is safe at every start; within a process it runs once (again only
   * after a failure). `encode` calls it when it was not called before.
   */
  registerSchemas(): Promise<ReadonlyMap<EventType, number>> {
    this.registration ??= this.registerAll().catch((error: unknown) => {
      this.registration = undefined;
      throw error;
    });
    return this.registration;
  }

  /**
   * Validates the payload against this codec's version of the schema, then encodes it. An invalid
   * payload throws a {@link ContractViolationError} that names every bad field; nothing is encoded.
   */
  async encode<T extends EventType>(eventType: T, payload: EventPayloads[T]): Promise<Buffer> {
    const version = this.versionOf(eventType);
    const type = eventAvroType(eventType, version);
    const issues = payloadIssues(type, payload);
    if (issues.length > 0) throw new ContractViolationError(eventType, version, issues);
    const schemaId = (await this.registerSchemas()).get(eventType);
    if (schemaId === undefined) throw new Error(`${eventType} was not registered`);
    return writeWireFormat(schemaId, type.toBuffer(payload));
  }

  /**
   * Decodes a message written by any version of any event schema, read as this codec's version of
   * that event (Avro schema resolution: fields it lacks are dropped, fields the writer lacked take
   * their defaults). Bytes that cannot be one of our events throw a {@link MalformedEventError};
   * a registry that cannot be reached, does not answer in time, or fails (5xx) throws a
   * {@link SchemaRegistryUnreachableError}, an outage, since a retry may succeed.
   */
  async decode(message: Buffer): Promise<DecodedEvent> {
    const { schemaId, body } = readWireFormat(message);
    const { eventType, writer, resolver } = await this.writerSchema(schemaId);
    assertBodyFits(writer, body, schemaId);
    let payload: unknown;
    try {
      payload = eventAvroType(eventType, this.versionOf(eventType)).fromBuffer(body, resolver);
    } catch (error) {
      const reason = `${eventType} (schema ${schemaId}): ${(error as Error).message}`;
      throw new MalformedEventError('INVALID_BODY', reason, schemaId, { cause: error });
    }
    // The payload was read with the schema the generated type of `eventType` comes from.
    return { type: eventType, payload, schemaId } as DecodedEvent;
  }

  private async registerAll(): Promise<ReadonlyMap<EventType, number>> {
    // One subject after the other, not all at once: a registration writes to the registry's
    // storage, and concurrent ones contend there (Apicurio's in-memory storage times out on table
    // locks, Apicurio/apicurio-registry#4351; the likeliest cause of the minute-long silences of
    // the registry seen in CI while several test processes registered every subject at once). A failure
    // ends the loop with no request left running, so the caller may retry at once.
    const ids = new Map<EventType, number>();
    for (const eventType of eventTypes) ids.set(eventType, await this.register(eventType));
    return ids;
  }

  private async register(eventType: EventType): Promise<number> {
    const subject = subjectFor(eventType, this.topicPrefix);
    const version = this.versionOf(eventType);
    try {
      // The committed text, not avsc's re-serialisation: avsc drops logicalType and docs.
      const schema = JSON.stringify(eventSchema(eventType, version));
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      );
      return id;
    } catch (error) {
      const reason = (error as Error).message;
      if (statusOf(error) === 409) {
        throw new SchemaRegistrationError(
          'SCHEMA_INCOMPATIBLE',
          subject,
          `the schema registry refused ${eventType} v${version} under "${subject}" (HTTP 409): it is not ` +
            `BACKWARD compatible with the versions registered there. Registry: ${reason}`,
          { cause: error },
        );
      }
      throw new SchemaRegistrationError(
        'REGISTRATION_FAILED',
        subject,
        `could not register ${eventType} v${version} under "${subject}": ${reason}`,
        { cause: error },
      );
    }
  }

  private writerSchema(schemaId: number): Promise<WriterSchema> {
    let writer = this.writers.get(schemaId);
    if (!writer) {
      const unknownUntil = this.unknownSchemaIds.get(schemaId);
      if (unknownUntil !== undefined && Date.now() < unknownUntil) {
        return Promise.reject(
          new MalformedEventError(
            'UNKNOWN_SCHEMA_ID',
            `the registry has no schema ${schemaId} (it said so less than ${this.unknownSchemaIdTtlMs} ms ago)`,
            schemaId,
          ),
        );
      }
      writer = this.loadWriterSchema(schemaId).catch((error: unknown) => {
        this.writers.delete(schemaId);
        throw error;
      });
      this.writers.set(schemaId, writer);
    }
    return writer;
  }

  private rememberUnknown(schemaId: number): void {
    this.unknownSchemaIds.delete(schemaId); // re-inserted last: the map stays ordered by expiry
    this.unknownSchemaIds.set(schemaId, Date.now() + this.unknownSchemaIdTtlMs);
    if (this.unknownSchemaIds.size > MAX_REMEMBERED_UNKNOWN_IDS) {
      const [oldest] = this.unknownSchemaIds.keys();
      if (oldest !== undefined) this.unknownSchemaIds.delete(oldest);
    }
  }

  private async loadWriterSchema(schemaId: number): Promise<WriterSchema> {
    let writer: unknown;
    try {
      writer = await this.registry.getSchema(schemaId);
    } catch (error) {
      if (isRegistryOutage(error)) {
        throw new SchemaRegistryUnreachableError(
          `could not read schema ${schemaId}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      if (statusOf(error) !== 404) throw error;
      this.rememberUnknown(schemaId);
      throw new MalformedEventError('UNKNOWN_SCHEMA_ID', `the registry has no schema ${schemaId}`, schemaId, {
        cause: error,
      });
    }
    this.unknownSchemaIds.delete(schemaId);
    const eventType = Type.isType(writer, 'record') ? eventTypeOfRecord((writer as Type).name) : undefined;
    if (!eventType) {
      const what = Type.isType(writer)
        ? `Avro ${(writer as Type).typeName} ${(writer as Type).name ?? ''}`
        : 'not Avro';
      throw new MalformedEventError(
        'NOT_AN_EVENT',
        `schema ${schemaId} is ${what.trim()}, not an event`,
        schemaId,
      );
    }
    const reader = eventAvroType(eventType, this.versionOf(eventType));
    try {
      return { eventType, writer: writer as Type, resolver: reader.createResolver(writer as Type) };
    } catch (error) {
      throw new MalformedEventError(
        'INCOMPATIBLE_WRITER_SCHEMA',
        `${eventType} v${this.versionOf(eventType)} cannot read schema ${schemaId}: ${(error as Error).message}`,
        schemaId,
        { cause: error },
      );
    }
  }
}

/**
 * Whether a failed registry request says nothing about the message: the registry could not be
 * reached, did not answer in time, or failed itself. Only the registry's own refusals (404 for an
 * unknown id, another 4xx) are about what was asked.
 * - HTTP 5xx: the registry (or the proxy in front of it) failed; 408 and 429: it asks to be asked
 *   again later.
 * - The registry client (mappersmith underneath) reports a failed connection, and a request that
 *   passed its deadline (`Timeout (15000ms)`, see `createSchemaRegistry`), as a response error of
 *   status 400 whose message carries the socket error's code or the timeout, with no `cause`: the
 *   message is all there is to tell them from a real 400.
 */
function isRegistryOutage(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined && (status >= 500 || status === 408 || status === 429)) return true;
  const message = (error as { message?: unknown } | null)?.message;
  return (
    typeof message === 'string' &&
    /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND)\b|socket hang up|\bTimeout \(\d+ms\)/.test(
      message,
    )
  );
}

/** The HTTP status of a failed registry call (the client's errors carry it as `status`). */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
