import { canonicalJson, requestFingerprint } from './request-fingerprint';

describe('request fingerprint', () => {
  it('when two bodies differ only in key order, then they have the same fingerprint', () => {
    const a = { customerId: 'c', items: [{ sku: 'A', quantity: 1 }], paymentMethod: { token: 't' } };
    const b = { paymentMethod: { token: 't' }, items: [{ quantity: 1, sku: 'A' }], customerId: 'c' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(requestFingerprint(a)).toBe(requestFingerprint(b));
    expect(requestFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('when a value or the order of lines differs, then the fingerprint differs', () => {
    const lines = [
      { sku: 'A', quantity: 1 },
      { sku: 'B', quantity: 1 },
    ];
    expect(requestFingerprint({ items: lines })).not.toBe(
      requestFingerprint({ items: [...lines].reverse() }),
    );
    expect(requestFingerprint({ q: 1 })).not.toBe(requestFingerprint({ q: 2 }));
  });
});
