import { randomUUID } from 'node:crypto';

import { propertyTestParameters, testInfrastructure } from '@ecommerce/test-infra';
import fc from 'fast-check';

import { MalformedEventError, type MalformedEventCode } from '../errors';
import { eventTypes, type EventType } from '../generated/event-types';
import { sampleEvents } from '../testing/sample-events';
import { EventCodec } from './event-codec';
import { writeWireFormat } from './wire-format';

const malformedEventCodes: readonly MalformedEventCode[] = [
  'TRUNCATED',
  'BAD_MAGIC_BYTE',
  'UNKNOWN_SCHEMA_ID',
  'NOT_AN_EVENT',
  'INCOMPATIBLE_WRITER_SCHEMA',
  'INVALID_BODY',
];

/**
 * Far above any real decode (well under a millisecond) and far below avsc's loop over a corrupt
 * count (minutes): this catches a hang, it does not measure speed.
 */
const HANG_MS = 5_000;

/** Avro's zig-zag varint encoding of a long. */
function zigZagVarint(value: bigint): Buffer {
  const bytes: number[] = [];
  for (let remaining = value >= 0n ? value * 2n : -value * 2n - 1n; ; remaining >>= 7n) {
    if (remaining < 0x80n) {
      bytes.push(Number(remaining));
      return Buffer.from(bytes);
    }
    bytes.push(Number(remaining & 0x7fn) | 0x80);
  }
}

describe('EventCodec.decode on hostile bytes (property-based, real schema registry)', () => {
  const codec = new EventCodec({
    registryUrl: testInfrastructure().schemaRegistryUrl,
    topicPrefix: `contracts-property-${randomUUID()}.`,
  });
  const messages = new Map<EventType, Buffer>();

  beforeAll(async () => {
    for (const eventType of eventTypes)
      messages.set(eventType, await codec.encode(eventType, sampleEvents[eventType]));
  });

  const anEncodedEvent = fc.constantFrom(...eventTypes).map((eventType) => messages.get(eventType) as Buffer);

  /** Decodes `message`: a decoded event, or a MalformedEventError with a documented code, in bounded time. */
  async function decodesOrFailsCleanly(message: Buffer): Promise<void> {
    const started = performance.now();
    const outcome = await codec.decode(message).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(performance.now() - started).toBeLessThan(HANG_MS);
    if (outcome === undefined) return;
    expect(outcome).toBeInstanceOf(MalformedEventError);
    expect(malformedEventCodes).toContain((outcome as MalformedEventError).code);
  }

  it('when the bytes are random, then decode fails cleanly (or, by chance, reads an event)', () =>
    fc.assert(
      fc.asyncProperty(
        // Half of them start with the magic byte, so the schema id is looked up in the registry.
        fc.oneof(
          fc.uint8Array({ maxLength: 2_048 }),
          fc.uint8Array({ maxLength: 64 }).map((rest) => Uint8Array.of(0, ...rest)),
        ),
        (bytes) => decodesOrFailsCleanly(Buffer.from(bytes)),
      ),
      propertyTestParameters(),
    ));

  it('when the header is valid and the body random, then decode fails cleanly or reads an event', () =>
    fc.assert(
      fc.asyncProperty(anEncodedEvent, fc.uint8Array({ maxLength: 512 }), (message, body) =>
        decodesOrFailsCleanly(Buffer.concat([message.subarray(0, 5), body])),
      ),
      propertyTestParameters(),
    ));

  it('when an event is cut short, its magic byte or schema id changed, or bytes flipped, then decode fails cleanly or reads an event', () =>
    fc.assert(
      fc.asyncProperty(
        anEncodedEvent,
        fc.oneof(
          fc.nat().map((length) => (message: Buffer) => message.subarray(0, length % message.length)),
          fc
            .integer({ min: 1, max: 255 })
            .map((magic) => (message: Buffer) => Buffer.concat([Buffer.from([magic]), message.subarray(1)])),
          fc
            .integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
            .map((schemaId) => (message: Buffer) => writeWireFormat(schemaId, message.subarray(5))),
          fc
            .array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 })
            .map((flips) => (message: Buffer) => {
              const flipped = Buffer.from(message);
              for (const [at, mask] of flips) {
                const position = 5 + (at % (flipped.length - 5));
                flipped.writeUInt8(flipped.readUInt8(position) ^ mask, position);
              }
              return flipped;
            }),
          fc
            .uint8Array({ minLength: 1, maxLength: 16 })
            .map((extra) => (message: Buffer) => Buffer.concat([message, extra])),
        ),
        (message, corrupt) => decodesOrFailsCleanly(corrupt(message)),
      ),
      propertyTestParameters(),
    ));

  it('when a length or count in the body is corrupted to a huge value, then decode fails cleanly or reads an event', () =>
    fc.assert(
      fc.asyncProperty(
        anEncodedEvent,
        fc.nat(),
        fc.bigInt({ min: 1n, max: 2n ** 62n }),
        fc.boolean(),
        async (message, at, count, negative) => {
          const position = 5 + (at % (message.length - 5));
          // Where a length or a block count may be read; a negative count is followed by a block size.
          const varint = negative
            ? Buffer.concat([zigZagVarint(-count), zigZagVarint(count)])
            : zigZagVarint(count);
          await decodesOrFailsCleanly(
            Buffer.concat([message.subarray(0, position), varint, message.subarray(position)]),
          );
        },
      ),
      propertyTestParameters(),
    ));
});
