import { eventAvroType } from '../event-schemas';
import type { EventType } from '../generated/event-types';
import { sampleEvents } from '../testing/sample-events';
import { assertBodyFits } from './bounded-body';
import { stockReservedClaimingItems } from './corrupt-bodies';

const eventTypes = Object.keys(sampleEvents) as EventType[];

function body(eventType: EventType): Buffer {
  return eventAvroType(eventType).toBuffer(sampleEvents[eventType]);
}

describe('assertBodyFits', () => {
  it.each(eventTypes)('when a %s body is intact, then it passes', (eventType) => {
    expect(() => assertBodyFits(eventAvroType(eventType), body(eventType), 7)).not.toThrow();
  });

  it('when an array block claims more items than bytes are left, then it fails at once', () => {
    // avsc's own decoder would loop over 2^30 phantom items here.
    expect(() =>
      assertBodyFits(eventAvroType('StockReserved'), stockReservedClaimingItems(2 ** 30), 7),
    ).toThrow(
      expect.objectContaining({
        code: 'TRUNCATED',
        schemaId: 7,
        message: expect.stringContaining('a block of 1073741824 items'),
      }),
    );
  });

  it('when the body ends early, then it is TRUNCATED', () => {
    const intact = body('OrderPlaced');
    expect(() =>
      assertBodyFits(eventAvroType('OrderPlaced'), intact.subarray(0, intact.length - 3), 7),
    ).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });

  it('when bytes follow the record, then the body is INVALID_BODY', () => {
    const padded = Buffer.concat([body('OrderPlaced'), Buffer.from([0])]);
    expect(() => assertBodyFits(eventAvroType('OrderPlaced'), padded, 7)).toThrow(
      expect.objectContaining({
        code: 'INVALID_BODY',
        message: expect.stringContaining('1 bytes after the end'),
      }),
    );
  });

  it('when a union branch index does not exist, then the body is INVALID_BODY', () => {
    // causationId is the first union: find its branch index by encoding it null and not null.
    const type = eventAvroType('ProductUpserted');
    const withNull = type.toBuffer({ ...sampleEvents.ProductUpserted, causationId: null });
    const withCause = type.toBuffer({ ...sampleEvents.ProductUpserted, causationId: 'e' });
    const unionIndexAt = withNull.findIndex((byte, index) => byte !== withCause[index]);
    const corrupt = Buffer.from(withNull);
    corrupt[unionIndexAt] = 4; // zig-zag 2: a third branch of ["null", "string"]
    expect(() => assertBodyFits(type, corrupt, 7)).toThrow(
      expect.objectContaining({ code: 'INVALID_BODY', message: expect.stringContaining('union branch 2') }),
    );
  });
});
