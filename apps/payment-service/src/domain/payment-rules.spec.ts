import { decideCharge, paymentsToRefund, refundsOnArrival, type PaymentStatus } from './payment-rules';

describe('payment rules', () => {
  describe('decideCharge', () => {
    it('charges a known, open order without payments', () => {
      expect(decideCharge({ cancelled: false, payments: [] })).toEqual({ action: 'charge' });
    });

    it('never charges a cancelled order', () => {
      expect(decideCharge({ cancelled: true, payments: [] })).toMatchObject({ action: 'skip' });
    });

    it.each<PaymentStatus>(['AUTHORIZED', 'FAILED', 'REFUNDED'])(
      'never charges an order twice (existing payment %s)',
      (status) => {
        expect(decideCharge({ cancelled: false, payments: [{ status }] })).toEqual({
          action: 'skip',
          reason: `the order already has a payment (${status})`,
        });
      },
    );
  });

  describe('refundsOnArrival', () => {
    it('refunds an authorization that lands for an order cancelled meanwhile, and nothing else', () => {
      expect(refundsOnArrival({ cancelled: true }, 'AUTHORIZED')).toBe(true);
      expect(refundsOnArrival({ cancelled: true }, 'FAILED')).toBe(false);
      expect(refundsOnArrival({ cancelled: false }, 'AUTHORIZED')).toBe(false);
    });
  });

  describe('paymentsToRefund', () => {
    it('refunds the authorizations only', () => {
      const payments = [
        { id: 'a', status: 'AUTHORIZED' as const },
        { id: 'f', status: 'FAILED' as const },
        { id: 'r', status: 'REFUNDED' as const },
      ];
      expect(paymentsToRefund(payments)).toEqual([{ id: 'a', status: 'AUTHORIZED' }]);
    });
  });
});
