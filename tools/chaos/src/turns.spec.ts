import { Isolation, Turns } from './turns';

/** A piece of work that runs until `finish` is called, recording when it started. */
function work(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    run: async () => {
      log.push(`${name} started`);
      await done;
      log.push(`${name} ended`);
    },
    finish: () => finish(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('turns', () => {
  it('when two pieces of work take a turn on one key, then the second starts only once the first ended', async () => {
    const turns = new Turns<string>();
    const log: string[] = [];
    const first = work(log, 'first');
    const second = work(log, 'second');
    const running = [turns.take('order', first.run), turns.take('order', second.run)];
    await settle();
    expect(log).toEqual(['first started']);
    first.finish();
    second.finish();
    await Promise.all(running);
    expect(log).toEqual(['first started', 'first ended', 'second started', 'second ended']);
  });

  it('when work of another key takes a turn, then it runs at once; settled waits for all of them', async () => {
    const turns = new Turns<string>();
    const log: string[] = [];
    const order = work(log, 'order');
    const payment = work(log, 'payment');
    void turns.take('order', order.run);
    void turns.take('payment', payment.run);
    await settle();
    expect(log).toEqual(['order started', 'payment started']);
    let settled = false;
    const all = turns.settled().then(() => (settled = true));
    order.finish();
    await settle();
    expect(settled).toBe(false);
    payment.finish();
    await all;
    expect(settled).toBe(true);
  });

  it('when a piece of work fails, then the next one still gets its turn', async () => {
    const turns = new Turns<string>();
    await expect(turns.take('order', () => Promise.reject(new Error('broken')))).rejects.toThrow('broken');
    await expect(turns.take('order', () => Promise.resolve('next'))).resolves.toBe('next');
  });
});

describe('isolation', () => {
  it('when shared work runs, then more shared work runs alongside it', async () => {
    const isolation = new Isolation();
    const log: string[] = [];
    const first = work(log, 'first');
    const second = work(log, 'second');
    const running = [isolation.shared(first.run), isolation.shared(second.run)];
    await settle();
    expect(log).toEqual(['first started', 'second started']);
    first.finish();
    second.finish();
    await Promise.all(running);
  });

  it('when exclusive work is asked for, then it waits for the shared work under way and holds back shared work asked for after it', async () => {
    const isolation = new Isolation();
    const log: string[] = [];
    const before = work(log, 'shared before');
    const alone = work(log, 'exclusive');
    const after = work(log, 'shared after');
    const running = [
      isolation.shared(before.run),
      isolation.exclusive(alone.run),
      isolation.shared(after.run),
    ];
    await settle();
    expect(log).toEqual(['shared before started']);
    before.finish();
    await settle();
    expect(log).toEqual(['shared before started', 'shared before ended', 'exclusive started']);
    alone.finish();
    after.finish();
    await Promise.all(running);
    expect(log.slice(3)).toEqual(['exclusive ended', 'shared after started', 'shared after ended']);
  });

  it('when two exclusive works are asked for, then they run one after the other; settled waits for both', async () => {
    const isolation = new Isolation();
    const log: string[] = [];
    const first = work(log, 'first');
    const second = work(log, 'second');
    void isolation.exclusive(first.run);
    void isolation.exclusive(second.run);
    const settled = isolation.settled();
    await settle();
    expect(log).toEqual(['first started']);
    first.finish();
    second.finish();
    await settled;
    expect(log).toEqual(['first started', 'first ended', 'second started', 'second ended']);
  });
});
