/** The outcome of a user's request, worded for the page. */
export type OrderRequestResult =
  { ok: true; orderId: string } | { ok: false; status: number; message: string };

/**
 * order-service's public REST API, for the two user actions of the console: placing and cancelling
 * a demo order. A user action, so it may call the service; the console's views never do (they are
 * built from events only).
 */
export class OrderServiceClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 5_000,
  ) {}

  placeOrder(order: {
    customerId: string;
    sku: string;
    quantity: number;
    paymentToken: string;
  }): Promise<OrderRequestResult> {
    return this.request('POST', '/orders', {
      customerId: order.customerId,
      items: [{ sku: order.sku, quantity: order.quantity }],
      paymentMethod: { token: order.paymentToken },
    });
  }

  cancelOrder(orderId: string): Promise<OrderRequestResult> {
    return this.request('POST', `/orders/${encodeURIComponent(orderId)}/cancel`, undefined, orderId);
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    orderId?: string,
  ): Promise<OrderRequestResult> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return { ok: false, status: 503, message: `order-service did not answer: ${(error as Error).message}` };
    }
    const answer = parseAnswer(await response.text());
    if (response.ok) return { ok: true, orderId: answer.orderId ?? orderId ?? '' };
    // 4xx are problem+json (RFC 9457): its detail is meant for people.
    return {
      ok: false,
      status: response.status >= 500 ? 503 : response.status,
      message: answer.detail ?? answer.title ?? `order-service answered ${response.status}`,
    };
  }
}

/** A JSON answer's fields; a body that is not JSON (a proxy's error page) is shown as it is. */
function parseAnswer(text: string): { orderId?: string; detail?: string; title?: string } {
  try {
    return text ? (JSON.parse(text) as { orderId?: string; detail?: string; title?: string }) : {};
  } catch {
    return { detail: text.slice(0, 200) };
  }
}
