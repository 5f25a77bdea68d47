import { decideReservation, decideSettlement, demandBySku, type ReservationLine } from './reservation';
import type { StockLevel } from './stock-level';

const stock = new Map<string, StockLevel>([
  ['MUG', { onHand: 10, reserved: 4 }],
  ['TEE', { onHand: 2, reserved: 0 }],
]);

describe('reservation decisions', () => {
  it('sums repeated SKUs and sorts the demand by SKU (the lock order)', () => {
    expect(
      demandBySku([
        { sku: 'TEE', quantity: 1 },
        { sku: 'MUG', quantity: 2 },
        { sku: 'TEE', quantity: 1 },
      ]),
    ).toEqual([
      { sku: 'MUG', quantity: 2 },
      { sku: 'TEE', quantity: 2 },
    ]);
  });

  it('when every line fits what is available, then every line is reserved', () => {
    expect(
      decideReservation(
        [
          { sku: 'TEE', quantity: 2 },
          { sku: 'MUG', quantity: 6 },
        ],
        stock,
      ),
    ).toEqual({
      outcome: 'reserve',
      lines: [
        { sku: 'MUG', quantity: 6 },
        { sku: 'TEE', quantity: 2 },
      ],
    });
  });

  it('when one line is short, then nothing is reserved and only the short lines are named', () => {
    expect(
      decideReservation(
        [
          { sku: 'MUG', quantity: 1 },
          { sku: 'TEE', quantity: 3 },
        ],
        stock,
      ),
    ).toEqual({ outcome: 'reject', unavailable: [{ sku: 'TEE', requested: 3, available: 2 }] });
  });

  it('when a SKU repeats, then its lines are checked together', () => {
    expect(
      decideReservation(
        [
          { sku: 'TEE', quantity: 2 },
          { sku: 'TEE', quantity: 1 },
        ],
        stock,
      ),
    ).toEqual({ outcome: 'reject', unavailable: [{ sku: 'TEE', requested: 3, available: 2 }] });
  });

  it('when a SKU is unknown, then it counts as nothing available', () => {
    expect(decideReservation([{ sku: 'GHOST', quantity: 1 }], stock)).toEqual({
      outcome: 'reject',
      unavailable: [{ sku: 'GHOST', requested: 1, available: 0 }],
    });
  });

  it.each([[[]], [[{ sku: 'MUG', quantity: 0 }]], [[{ sku: 'MUG', quantity: -3 }]]])(
    'when the order is %j, then it is invalid (never a negative hold)',
    (lines) => {
      expect(decideReservation(lines, stock)).toMatchObject({ outcome: 'invalid' });
    },
  );
});

describe('settlement decisions (commit on confirmation, release on cancellation)', () => {
  const held: ReservationLine[] = [
    { sku: 'TEE', quantity: 1, status: 'RESERVED' },
    { sku: 'MUG', quantity: 2, status: 'RESERVED' },
  ];

  it.each(['commit', 'release'] as const)(
    'when the lines are held, then %s applies to all of them',
    (how) => {
      expect(decideSettlement(held, how)).toEqual({
        outcome: 'apply',
        lines: [
          { sku: 'MUG', quantity: 2 },
          { sku: 'TEE', quantity: 1 },
        ],
      });
    },
  );

  it('when nothing was reserved (a rejected order), then it is ignored', () => {
    expect(decideSettlement([], 'release')).toMatchObject({ outcome: 'ignored' });
  });

  it.each(['RELEASED', 'COMMITTED'] as const)(
    'when the reservation is already %s, then it is ignored',
    (status) => {
      const settled = held.map((line) => ({ ...line, status }));
      expect(decideSettlement(settled, 'release')).toMatchObject({ outcome: 'ignored' });
      expect(decideSettlement(settled, 'commit')).toMatchObject({ outcome: 'ignored' });
    },
  );
});
