/**
 * SIMULATED payment gateway: no card network, no money. Deterministic, so the saga's outcomes can
 * be chosen by the caller (SPEC section 2):
 * - an amount above 1,000,000 cents fails with AMOUNT_LIMIT (checked first, as a gateway's own
 *   policy is checked before the card issuer is asked);
 * - the token `tok_decline` fails with CARD_DECLINED;
 * - any other token authorizes, `tok_ok` (the default, also used when an order carries no token)
 *   among them.
 * The only non-determinism is time: `latencyMs` delays every answer, to show a slow dependency.
 *
 * Like a real gateway (Stripe's `Idempotency-Key`, Adyen's `idempotency-key`), it takes an
 * idempotency key with each authorization and answers a key it has seen with its first answer,
 * without charging again, so the caller can ask again after a failure or a crash without knowing
 * whether the first request arrived.
 */
export const DEFAULT_PAYMENT_TOKEN = 'tok_ok';
export const DECLINING_PAYMENT_TOKEN = 'tok_decline';
export const AMOUNT_LIMIT_CENTS = 1_000_000;

export type DeclineReason = 'CARD_DECLINED' | 'AMOUNT_LIMIT';

export interface AuthorizationRequest {
  /** The same key means the same authorization: it is made once and answered the same way after. */
  idempotencyKey: string;
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

/** Keys remembered, the oldest forgotten first (a real gateway keeps them for about a day). */
const REMEMBERED_KEYS = 100_000;

export class SimulatedPaymentGateway implements PaymentGateway {
  private readonly answers = new Map<string, { orderId: string; answer: Promise<AuthorizationResult> }>();

  constructor(private readonly options: { latencyMs: number } = { latencyMs: 0 }) {}

  async authorize(request: AuthorizationRequest): Promise<AuthorizationResult> {
    const known = this.answers.get(request.idempotencyKey);
    if (known) return known.answer;
    const answer = this.charge(request);
    this.answers.set(request.idempotencyKey, { orderId: request.orderId, answer });
    if (this.answers.size > REMEMBERED_KEYS) {
      this.answers.delete(this.answers.keys().next().value as string);
    }
    return answer;
  }

  /**
   * Charges attempted for one order: authorizations it really made (a repeated idempotency key is
   * answered, not charged again), declined ones included. More than one is a double charge.
   */
  chargesOf(orderId: string): number {
    return [...this.answers.values()].filter((entry) => entry.orderId === orderId).length;
  }

  private async charge(request: AuthorizationRequest): Promise<AuthorizationResult> {
    if (this.options.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    }
    return simulatedAuthorization(request);
  }
}
