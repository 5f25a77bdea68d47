import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';

import { LiveUpdates, type SectionId } from './live-updates';

/** What a page's event stream received: the sections, in order, as the page would apply them. */
class RecordedStream extends EventEmitter {
  readonly written: string[] = [];
  ended = false;

  writeHead(): this {
    return this;
  }

  write(chunk: string): boolean {
    this.written.push(chunk);
    return true;
  }

  end(): void {
    this.ended = true;
  }

  /** The `section` events received so far, decoded. */
  sections(): { id: string; html: string }[] {
    return this.written
      .filter((chunk) => chunk.startsWith('event: section\n'))
      .map(
        (chunk) => JSON.parse(chunk.slice('event: section\ndata: '.length)) as { id: string; html: string },
      );
  }
}

const FLUSH_MS = 250;

describe('LiveUpdates', () => {
  // The order the console's projection holds, as the order page renders it.
  let status: string;
  let live: LiveUpdates;

  const render = (section: SectionId, orderId: string | undefined) =>
    `${section}:${orderId ?? 'home'}:${status}`;

  function open(orderId?: string): RecordedStream {
    const stream = new RecordedStream();
    live.subscribe(stream as unknown as ServerResponse, orderId);
    return stream;
  }

  beforeEach(() => {
    jest.useFakeTimers();
    status = 'PENDING';
    live = new LiveUpdates(render, FLUSH_MS);
  });

  afterEach(() => {
    live.close();
    jest.useRealTimers();
  });

  it('when an order changed after its page was rendered but before the page subscribed, then the first flush sends the page its current sections', () => {
    // The page was rendered with the order unknown; the order moves on before its stream opens.
    status = 'CONFIRMED';
    live.orderChanged('order-1');
    const page = open('order-1');

    jest.advanceTimersByTime(FLUSH_MS);

    expect(page.sections()).toEqual([
      { id: 'order-summary', html: 'order-summary:order-1:CONFIRMED' },
      { id: 'timeline', html: 'timeline:order-1:CONFIRMED' },
    ]);
  });

  it('when the home page subscribes, then the first flush sends its orders, groups and outboxes', () => {
    const home = open();

    jest.advanceTimersByTime(FLUSH_MS);

    expect(home.sections().map((section) => section.id)).toEqual(['orders', 'groups', 'outboxes']);
  });

  it('when nothing changes after the first flush, then nothing more is sent', () => {
    const page = open('order-1');
    jest.advanceTimersByTime(FLUSH_MS);
    const sent = page.sections().length;

    jest.advanceTimersByTime(10 * FLUSH_MS);

    expect(page.sections()).toHaveLength(sent);
  });

  it('when an order changes several times within one flush, then its page gets each section once, with the latest state, and other pages get only their own', () => {
    const page = open('order-1');
    const otherOrder = open('order-2');
    const home = open();
    jest.advanceTimersByTime(FLUSH_MS);
    const pageBefore = page.sections().length;
    const otherBefore = otherOrder.sections().length;
    const homeBefore = home.sections().length;

    status = 'PAID';
    live.orderChanged('order-1');
    status = 'CONFIRMED';
    live.orderChanged('order-1');
    jest.advanceTimersByTime(FLUSH_MS);

    expect(page.sections().slice(pageBefore)).toEqual([
      { id: 'order-summary', html: 'order-summary:order-1:CONFIRMED' },
      { id: 'timeline', html: 'timeline:order-1:CONFIRMED' },
    ]);
    expect(otherOrder.sections()).toHaveLength(otherBefore);
    expect(
      home
        .sections()
        .slice(homeBefore)
        .map((section) => section.id),
    ).toEqual(['orders']);
  });

  it('when a page goes away, then nothing more is written to it', () => {
    const page = open('order-1');
    page.emit('close');

    live.orderChanged('order-1');
    jest.advanceTimersByTime(FLUSH_MS);

    expect(page.sections()).toEqual([]);
    expect(live.connections).toBe(0);
  });
});
