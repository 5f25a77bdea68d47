import { SimulatedPaymentGateway, simulatedAuthorization } from './simulated-payment-gateway';

const request = {
  idempotencyKey: '5e1f0a52-9a3b-4c55-8d21-000000000001',
  orderId: 'c0ffee00-0000-4000-8000-000000000001',
  amountCents: 4999,
  currency: 'USD',
};

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
      ['key-1', 'key-2', 'key-3'].map((idempotencyKey) =>
        gateway.authorize({ ...request, idempotencyKey, token: 'tok_decline' }),
      ),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
  });

  it('when a key comes again, even while its first request is in flight, then it gets the first answer and nothing is charged again', async () => {
    const gateway = new SimulatedPaymentGateway({ latencyMs: 30 });
    const first = gateway.authorize({ ...request, token: null });
    const whileInFlight = gateway.authorize({ ...request, token: null });
    // A request that differs but reuses the key is answered as the first one was.
    const reusedKey = gateway.authorize({ ...request, token: 'tok_decline' });

    expect(await Promise.all([first, whileInFlight, reusedKey])).toEqual([
      { outcome: 'AUTHORIZED' },
      { outcome: 'AUTHORIZED' },
      { outcome: 'AUTHORIZED' },
    ]);
    expect(gateway.chargesOf(request.orderId)).toBe(1);
  });

  it('when one order is authorized under two keys, then it is charged twice (what the callers must prevent)', async () => {
    const gateway = new SimulatedPaymentGateway();
    await gateway.authorize({ ...request, token: null });
    await gateway.authorize({ ...request, idempotencyKey: 'another-key', token: null });
    expect(gateway.chargesOf(request.orderId)).toBe(2);
  });
});
