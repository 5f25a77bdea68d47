import { MAIN_THREAD, meanThreadCpu, threadCpuBetween, type ThreadSnapshot } from './thread-cpu';

const thread = (name: string, user: number, system: number) => ({ name, user, system });

describe('CPU by thread', () => {
  it('when threads share a name, then they add up; the thread whose id is the pid is the main thread', () => {
    const before: ThreadSnapshot = new Map([
      [100, thread('node', 1, 0.5)],
      [101, thread('libuv-worker', 0, 0)],
      [102, thread('libuv-worker', 0.1, 0)],
    ]);
    const after: ThreadSnapshot = new Map([
      [100, thread('node', 1.1, 0.55)],
      [101, thread('libuv-worker', 0.01, 0.01)],
      [102, thread('libuv-worker', 0.11, 0)],
      [103, thread('V8 DefaultWorke', 9, 9)], // started between the snapshots: not its whole life
    ]);
    const rates = threadCpuBetween(100, before, after, 5);
    expect(Object.keys(rates)).toEqual([MAIN_THREAD, 'libuv-worker']);
    expect(rates[MAIN_THREAD]?.user).toBeCloseTo(20);
    expect(rates[MAIN_THREAD]?.system).toBeCloseTo(10);
    expect(rates['libuv-worker']?.user).toBeCloseTo(4);
    expect(rates['libuv-worker']?.system).toBeCloseTo(2);
  });

  it('when averaged over processes, then a thread kind one process lacks counts zero there', () => {
    expect(
      meanThreadCpu([
        { main: { user: 20, system: 10 }, 'libuv-worker': { user: 4, system: 0 } },
        { main: { user: 10, system: 2 } },
      ]),
    ).toEqual({ main: { user: 15, system: 6 }, 'libuv-worker': { user: 2, system: 0 } });
  });
});
