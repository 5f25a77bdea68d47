import { SimulatedPaymentGateway, simulatedAuthorization } from './simulated-payment-gateway';

const request = { orderId: 'c0ffee00-0000-4000-8000-000000000001', amountCents: 4999, currency: 'USD' };

describe('the simulated payment gateway', () => {
  it('authorizes the default token tok_ok, and a missing token as tok_ok', () => {
    expect(simulatedAuthorization({ ...request, token: 'tok_ok' })).toEqual({ outcome: 'AUTHORIZED' });
    expect(simulatedAuthorization({ ...request, token: null })).toEqual({ outcome: 'AUTHORIZED' });
  });

  it('authorizes any other token but tok_decline', () => {
    expect(simulatedAuthorization({ ...request, token: 'tok_visa_4242' })).toEqual({
      outcome: 'AUTHORIZED',
    });
  });

  it('declines tok_decline with CARD_DECLINED', () => {
    expect(simulatedAuthorization({ ...request, token: 'tok_decline' })).toEqual({
      outcome: 'DECLINED',
      reason: 'CARD_DECLINED',
    });
  });

  it('authorizes exactly 1,000,000 cents and declines 1,000,001 with AMOUNT_LIMIT, whatever the token', () => {
    expect(simulatedAuthorization({ ...request, amountCents: 1_000_000, token: null })).toEqual({
      outcome: 'AUTHORIZED',
    });
    for (const token of [null, 'tok_ok', 'tok_decline']) {
      expect(simulatedAuthorization({ ...request, amountCents: 1_000_001, token })).toEqual({
        outcome: 'DECLINED',
        reason: 'AMOUNT_LIMIT',
      });
    }
  });

  it('answers the same request the same way every time, after its configured latency', async () => {
    const gateway = new SimulatedPaymentGateway({ latencyMs: 30 });
    const started = Date.now();
    const answers = await Promise.all(
      [1, 2, 3].map(() => gateway.authorize({ ...request, token: 'tok_decline' })),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
  });
});
