import {
  buildReport,
  distinctFaultKinds,
  faultCheck,
  reportTables,
  whatFailed,
  type FaultRecord,
} from './report';

const fault = (kind: FaultRecord['kind'], ok = true): FaultRecord => ({
  kind,
  target: 'somewhere',
  atSeconds: 12.34,
  tookSeconds: 1.26,
  ok,
  detail: `${kind} done`,
});

const orders = {
  placed: 100,
  confirmed: 60,
  cancelled: 40,
  pending: 0,
  byReason: { OUT_OF_STOCK: 20, PAYMENT_DECLINED: 18, TIMEOUT: 2 },
  timedOut: { count: 2, whileSagaStopped: 0, share: 0.02, happyPath: 1, sentAtSeconds: [12, 40] },
};

const held = {
  id: '1',
  title: 'every order CONFIRMED or CANCELLED',
  held: true,
  detail: '100 orders settled',
};

function report(overrides: Partial<Parameters<typeof buildReport>[0]> = {}) {
  return buildReport({
    profile: 'quick',
    run: 'chaos.abc',
    startedAt: new Date('2026-12-01T10:00:00Z'),
    faults: [fault('kill-9'), fault('kill-9'), fault('poison-message'), fault('stock-adjustment')],
    invariants: [held],
    checks: [{ id: 'C1', title: 'one order per Idempotency-Key', held: true, detail: '100 requests' }],
    orders,
    lost: [],
    doubleEffects: [],
    maxTimeoutShare: 0.02,
    ...overrides,
  });
}

describe('the chaos report', () => {
  it('when everything held, then it passes and carries the fields of report.json', () => {
    const built = report();
    expect(built).toMatchObject({
      profile: 'quick',
      run: 'chaos.abc',
      startedAt: '2026-12-01T10:00:00.000Z',
      faults: [
        { kind: 'kill-9', target: 'somewhere', at: 12.3, took: 1.3, ok: true, detail: 'kill-9 done' },
        { kind: 'kill-9' },
        { kind: 'poison-message' },
        { kind: 'stock-adjustment' },
      ],
      invariants: [held],
      orders,
      lost: 0,
      doubleEffects: 0,
      passed: true,
    });
  });

  it('when counting distinct fault kinds, then repeats count once and the stock adjustment not at all', () => {
    expect(distinctFaultKinds([fault('kill-9'), fault('kill-9'), fault('stock-adjustment')])).toBe(1);
    expect(report().distinctFaultKinds).toBe(2);
  });

  it.each([
    ['a fault failed', { faults: [fault('registry-hangs', false)] }],
    ['an invariant did not hold', { invariants: [{ ...held, held: false }] }],
    [
      'a check did not hold',
      { checks: [{ id: 'F-smtp', title: 'one mail', held: false, detail: '2 extra' }] },
    ],
    ['something was lost', { lost: [{ count: 3, what: 'outbox rows unpublished' }] }],
    ['something was applied twice', { doubleEffects: [{ count: 1, what: '2 charges for order o-1' }] }],
    [
      'too many orders ended TIMEOUT',
      {
        orders: {
          ...orders,
          timedOut: { count: 3, whileSagaStopped: 0, share: 0.03, happyPath: 0, sentAtSeconds: [1, 2, 3] },
        },
      },
    ],
  ])('when %s, then it does not pass', (_case, overrides) => {
    expect(report(overrides).passed).toBe(false);
  });

  it('when most TIMEOUTs were held by the only broker being down, then only the others count against the bound, and the table says so', () => {
    const built = report({
      orders: {
        ...orders,
        timedOut: { count: 9, whileSagaStopped: 8, share: 0.01, happyPath: 5, sentAtSeconds: [] },
      },
    });
    expect(built.passed).toBe(true);
    expect(reportTables(built)).toContain(
      '9: 8 in flight while the only broker was down (see Stalls), the others 1.0 % (at most 2.0 %)',
    );
  });

  it('when lost and double effects are found, then the report counts them and keeps what they were', () => {
    const built = report({
      lost: [
        { count: 3, what: 'outbox rows unpublished' },
        { count: 2, what: 'group g has not consumed orders' },
      ],
      doubleEffects: [{ count: 1, what: '2 mails for order o-1: order-confirmed' }],
    });
    expect([built.lost, built.doubleEffects]).toEqual([5, 1]);
    expect(built.findings.lost).toHaveLength(2);
  });

  it('when printed, then the tables show the faults, orders, invariants, checks and findings', () => {
    const text = reportTables(
      report({
        faults: [fault('registry-hangs', false)],
        lost: [{ count: 3, what: 'outbox rows unpublished' }],
      }),
    );
    expect(text).toContain('1 distinct kinds');
    expect(text).toMatch(/t\+12s\s+1\.3s\s+registry-hangs\s+somewhere\s+FAILED: registry-hangs done/);
    expect(text).toMatch(
      /100\s+60\s+40\s+0\s+OUT_OF_STOCK 20, PAYMENT_DECLINED 18, TIMEOUT 2\s+2 \(2\.0 %, at most 2\.0 %\)\s+1/,
    );
    expect(text).toContain('every order CONFIRMED or CANCELLED');
    expect(text).toContain('one order per Idempotency-Key');
    expect(text).toContain('Lost: 3\n  3  outbox rows unpublished');
    expect(text).toContain('Double effects: 0');
    expect(text).not.toContain('Stalls while a broker was down');
  });

  it('when a broker was down, then report.json keeps its stall figures and the tables show them', () => {
    const stall = {
      kind: 'kafka-broker-crash' as const,
      target: 'Kafka node 2',
      fromSeconds: 100,
      toSeconds: 131.4,
      inFlight: 64,
      longestMs: 14_250,
      longestSentAtSeconds: 99.6,
      nothingSettledMs: 10_900,
      resumedAfterMs: 4_200,
      timedOut: 0,
      timedOutHappyPath: 0,
      undisturbed: { orders: 150, p50Ms: 900, p99Ms: 2_100 },
    };
    const built = report({ stalls: [stall] });
    expect(built.stalls).toEqual([stall]);
    expect(reportTables(built)).toMatch(
      /kafka-broker-crash \(Kafka node 2\)\s+t\+100s to t\+131s\s+64\s+14\.3 s \(sent t\+100s\)\s+10\.9 s\s+4\.2 s\s+0 \(0 happy-path\)\s+0\.9 s \/ 2\.1 s/,
    );
  });
});

describe('what a failed run failed on', () => {
  it('when everything held, then nothing is named', () => {
    expect(whatFailed(report())).toEqual([]);
  });

  it('when faults, invariants, checks and findings failed, then each is named on a line of its own', () => {
    const failed = report({
      faults: [fault('kill-9'), fault('postgres-crash', false)],
      invariants: [
        held,
        { ...held, id: '4', title: 'stock conserved', held: false, detail: 'sku-1 off by 2' },
      ],
      checks: [{ id: 'C4', title: 'at most 2 % TIMEOUT', held: false, detail: '9 of 200 (4.5 %)' }],
      lost: [{ count: 1, what: 'OrderPlaced of order-7 never applied' }],
    });
    expect(whatFailed(failed)).toEqual([
      'fault postgres-crash (somewhere) at t+12s FAILED: postgres-crash done',
      '4 did not hold: stock conserved: sku-1 off by 2',
      'C4 did not hold: at most 2 % TIMEOUT: 9 of 200 (4.5 %)',
      'lost: 1',
      '  1  OrderPlaced of order-7 never applied',
    ]);
  });
});

describe("a fault's own check", () => {
  it('when the fault tested something and found nothing wrong, then it held with what was checked', () => {
    expect(faultCheck('F-x', 'title', { violations: [], checked: '12 mails, none twice' })).toEqual({
      id: 'F-x',
      title: 'title',
      held: true,
      detail: '12 mails, none twice',
    });
  });

  it('when the fault tested nothing, then it did not hold, whatever it found', () => {
    const check = faultCheck('F-x', 'title', {
      untested: 'no mail arrived',
      violations: [],
      checked: 'fine',
    });
    expect([check.held, check.detail]).toEqual([false, 'no mail arrived: nothing was tested']);
  });

  it('when there are violations, then it did not hold and names the first three and how many more', () => {
    const check = faultCheck('F-x', 'title', { violations: ['a', 'b', 'c', 'd', 'e'], checked: 'fine' });
    expect([check.held, check.detail]).toEqual([false, 'a; b; c (and 2 more)']);
  });
});
