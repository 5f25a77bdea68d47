import { MalformedEventError } from '../errors';

/** Confluent wire format: magic byte 0, the schema id as a big-endian int32, then the Avro body. */
const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export function writeWireFormat(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

export function readWireFormat(message: Buffer): { schemaId: number; body: Buffer } {
  if (!Buffer.isBuffer(message) || message.length < HEADER_LENGTH) {
    // Not a buffer: a JavaScript caller passing a Kafka tombstone's null value, for instance.
    const length = Buffer.isBuffer(message) ? `${message.length} bytes` : String(message);
    throw new MalformedEventError(
      'TRUNCATED',
      `a message needs a ${HEADER_LENGTH}-byte header, got ${length}`,
    );
  }
  const magicByte = message.readUInt8(0);
  if (magicByte !== MAGIC_BYTE) {
    throw new MalformedEventError('BAD_MAGIC_BYTE', `first byte is ${magicByte}, expected ${MAGIC_BYTE}`);
  }
  return { schemaId: message.readInt32BE(1), body: message.subarray(HEADER_LENGTH) };
}
