import { Type, types } from 'avsc';

import { MalformedEventError } from '../errors';

/**
 * Checks, before avsc decodes a body, that every length and block count in it fits in the bytes
 * that are actually there. avsc trusts the item count at the start of an array block: with a
 * corrupt count of 2^30 its `fromBuffer` loops for minutes reading past the end of the buffer
 * (measured with avsc 5.7.9) instead of failing. One walk over the body with the writer schema
 * bounds every count by the bytes left, so a corrupt message fails at once.
 *
 * The bound assumes every array item and map entry takes at least one byte. Only arrays of null
 * or of empty records break that, and no event schema has one.
 */
export function assertBodyFits(writer: Type, body: Buffer, schemaId: number): void {
  const cursor = new Cursor(body, schemaId);
  skipValue(writer, cursor);
  if (cursor.remaining > 0) {
    throw new MalformedEventError(
      'INVALID_BODY',
      `${cursor.remaining} bytes after the end of the record`,
      schemaId,
    );
  }
}

function skipValue(type: Type, cursor: Cursor): void {
  if (Type.isType(type, 'logical')) return skipValue((type as types.LogicalType).underlyingType, cursor);
  if (Type.isType(type, 'union')) {
    const index = cursor.readLong();
    const branch = (type as types.UnwrappedUnionType).types[index];
    if (!branch) throw cursor.invalid(`union branch ${index} does not exist`);
    return skipValue(branch, cursor);
  }
  switch (type.typeName) {
    case 'null':
      return;
    case 'boolean':
      return cursor.skip(1);
    case 'int':
    case 'long':
    case 'enum':
      cursor.readLong();
      return;
    case 'float':
      return cursor.skip(4);
    case 'double':
      return cursor.skip(8);
    case 'string':
    case 'bytes':
      return cursor.skip(cursor.readLength());
    case 'fixed':
      return cursor.skip((type as types.FixedType).size);
    case 'record':
      for (const field of (type as types.RecordType).fields) skipValue(field.type, cursor);
      return;
    case 'array':
      return skipBlocks(cursor, () => skipValue((type as types.ArrayType).itemsType, cursor));
    case 'map':
      return skipBlocks(cursor, () => {
        cursor.skip(cursor.readLength());
        skipValue((type as types.MapType).valuesType as Type, cursor);
      });
    default:
      throw new Error(`cannot walk Avro type ${type.typeName}`);
  }
}

/** Arrays and maps: blocks of `count` items, a negative count followed by the block's byte size. */
function skipBlocks(cursor: Cursor, skipItem: () => void): void {
  for (let count = cursor.readLong(); count !== 0; count = cursor.readLong()) {
    if (count < 0) {
      count = -count;
      cursor.readLong();
    }
    if (count > cursor.remaining) {
      throw cursor.truncated(`a block of ${count} items with only ${cursor.remaining} bytes left`);
    }
    for (let item = 0; item < count; item++) skipItem();
  }
}

class Cursor {
  private position = 0;

  constructor(
    private readonly body: Buffer,
    private readonly schemaId: number,
  ) {}

  get remaining(): number {
    return this.body.length - this.position;
  }

  skip(bytes: number): void {
    if (bytes > this.remaining) throw this.truncated(`${bytes} bytes needed, ${this.remaining} left`);
    this.position += bytes;
  }

  /** A zig-zag varint, Avro's int and long encoding: at most 10 bytes. */
  readLong(): number {
    let value = 0;
    let multiplier = 1;
    for (let read = 0; read < 10; read++) {
      if (this.remaining === 0) throw this.truncated('the body ends inside a number');
      const byte = this.body.readUInt8(this.position++);
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
      multiplier *= 128;
    }
    throw this.invalid('a number longer than 10 bytes');
  }

  readLength(): number {
    const length = this.readLong();
    if (length < 0) throw this.invalid(`negative length ${length}`);
    return length;
  }

  truncated(detail: string): MalformedEventError {
    return new MalformedEventError('TRUNCATED', `body is cut short: ${detail}`, this.schemaId);
  }

  invalid(detail: string): MalformedEventError {
    return new MalformedEventError('INVALID_BODY', `body is not valid Avro: ${detail}`, this.schemaId);
  }
}
