import { eventAvroType } from '../event-schemas';
import { sampleEvents } from '../testing/sample-events';

/**
 * A StockReserved body whose `items` array (its last field) claims `count` items that are not
 * there: the corrupt length prefix that would make avsc loop. For tests.
 */
export function stockReservedClaimingItems(count: number): Buffer {
  const empty = eventAvroType('StockReserved').toBuffer({ ...sampleEvents.StockReserved, items: [] });
  // The last byte is the empty array's terminating block count, 0; put the claimed count there.
  return Buffer.concat([empty.subarray(0, empty.length - 1), zigZagVarint(count)]);
}

/** Avro's encoding of a non-negative long. */
function zigZagVarint(value: number): Buffer {
  const bytes: number[] = [];
  let remaining = value * 2;
  while (remaining >= 0x80) {
    bytes.push((remaining % 0x80) | 0x80);
    remaining = Math.floor(remaining / 0x80);
  }
  bytes.push(remaining);
  return Buffer.from(bytes);
}
