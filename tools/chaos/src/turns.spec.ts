import { Turns } from './turns';

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
