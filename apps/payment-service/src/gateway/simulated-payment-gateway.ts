/**
 * SIMULATED payment gateway: no card network, no money. Deterministic, so the saga's outcomes can
 * be chosen by the caller (SPEC section 2):
 * - an amount above 1,000,000 cents fails with AMOUNT_LIMIT (checked first, as a gateway's own
 *   policy is checked before the card issuer is asked);
 * - the token `tok_decline` fails with CARD_DECLINED;
 * - any other token authorizes, `tok_ok` (the default, also used when an order carries no token)
 *   among them.
 * The only non-determinism is time: `latencyMs` delays every answer, to show a slow dependency.
 */
export const DEFAULT_PAYMENT_TOKEN = 'tok_ok';
export const DECLINING_PAYMENT_TOKEN = 'tok_decline';
export const AMOUNT_LIMIT_CENTS = 1_000_000;

export type DeclineReason = 'CARD_DECLINED' | 'AMOUNT_LIMIT';

export interface AuthorizationRequest {
  orderId: string;
  amountCents: number;
  currency: string;
  /** null means the default token `tok_ok`. */
  token: string | null;
}

export type AuthorizationResult = { outcome: 'AUTHORIZED' } | { outcome: 'DECLINED'; reason: DeclineReason };

/** What the application needs from a payment gateway; the simulated one is the only implementation. */
export interface PaymentGateway {
  authorize(request: AuthorizationRequest): Promise<AuthorizationResult>;
}

/** The rules alone, without latency: same request, same answer. */
export function simulatedAuthorization(request: AuthorizationRequest): AuthorizationResult {
  if (request.amountCents > AMOUNT_LIMIT_CENTS) return { outcome: 'DECLINED', reason: 'AMOUNT_LIMIT' };
  if ((request.token ?? DEFAULT_PAYMENT_TOKEN) === DECLINING_PAYMENT_TOKEN) {
    return { outcome: 'DECLINED', reason: 'CARD_DECLINED' };
  }
  return { outcome: 'AUTHORIZED' };
}

export class SimulatedPaymentGateway implements PaymentGateway {
  constructor(private readonly options: { latencyMs: number } = { latencyMs: 0 }) {}

  async authorize(request: AuthorizationRequest): Promise<AuthorizationResult> {
    if (this.options.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    }
    return simulatedAuthorization(request);
  }
}
