import type { ServerResponse } from 'node:http';

/** A page's live connection: which order it shows (none: the home page). */
interface Subscriber {
  response: ServerResponse;
  orderId: string | undefined;
  /** Sections to send at the next flush. */
  due: Set<SectionId>;
}

/** The sections a page has, by page: what a change can make stale. */
export const HOME_SECTIONS = ['orders', 'groups', 'outboxes'] as const;
export const ORDER_SECTIONS = ['order-summary', 'timeline'] as const;
export type SectionId = (typeof HOME_SECTIONS)[number] | (typeof ORDER_SECTIONS)[number];

/**
 * Server-sent events to the open pages (SPEC 9: orders move live). The server renders the changed
 * sections and sends their HTML (`event: section`, `{ id, html }`); the page's small script puts
 * each in place. Changes are gathered and flushed every `flushMs`, so a burst of events (a replay
 * at start, a busy saga) costs one render per section per flush, not one per event. A page without
 * JavaScript gets the same HTML on reload.
 */
export class LiveUpdates {
  private readonly subscribers = new Set<Subscriber>();
  private readonly timer: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly render: (section: SectionId, orderId: string | undefined) => string,
    flushMs = 250,
  ) {
    this.timer = setInterval(() => this.flush(), flushMs);
    // A comment line now and then keeps proxies from closing a quiet stream.
    this.heartbeat = setInterval(() => {
      for (const subscriber of this.subscribers) subscriber.response.write(': keep-alive\n\n');
    }, 15_000);
  }

  get connections(): number {
    return this.subscribers.size;
  }

  /** Streams updates to `response` until the page goes away. */
  subscribe(response: ServerResponse, orderId: string | undefined): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // The client reconnects after 2 s if the stream breaks (a console restart, a proxy timeout).
    response.write('retry: 2000\n\n');
    // Every section of the page is sent at the first flush: what changed between the page's render
    // and this subscription (or while a broken stream reconnected) was notified to no one, and a
    // page that waited for the next change to see it could miss a state that did not last (an order
    // PENDING for a few seconds, its cancel button never shown).
    const sections: readonly SectionId[] = orderId === undefined ? HOME_SECTIONS : ORDER_SECTIONS;
    const subscriber: Subscriber = { response, orderId, due: new Set(sections) };
    this.subscribers.add(subscriber);
    response.on('close', () => this.subscribers.delete(subscriber));
  }

  /** An order changed: its page and the home page's list are stale. */
  orderChanged(orderId: string): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.orderId === orderId) ORDER_SECTIONS.forEach((id) => subscriber.due.add(id));
      if (subscriber.orderId === undefined) subscriber.due.add('orders');
    }
  }

  /** Consumer groups changed (lag, dead letters): the home page's table and every timeline's "handled by". */
  clusterChanged(): void {
    for (const subscriber of this.subscribers) subscriber.due.add(subscriber.orderId ? 'timeline' : 'groups');
  }

  outboxesChanged(): void {
    for (const subscriber of this.subscribers) if (!subscriber.orderId) subscriber.due.add('outboxes');
  }

  close(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    for (const subscriber of this.subscribers) subscriber.response.end();
    this.subscribers.clear();
  }

  private flush(): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.due.size === 0) continue;
      for (const id of subscriber.due) {
        const data = JSON.stringify({ id, html: this.render(id, subscriber.orderId) });
        subscriber.response.write(`event: section\ndata: ${data}\n\n`);
      }
      subscriber.due.clear();
    }
  }
}
