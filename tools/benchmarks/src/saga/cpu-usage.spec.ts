import {
  cpuBetween,
  parseCpuTimes,
  parseProcessStartSeconds,
  parseMachineCpu,
  parseProcessCpuSeconds,
  parseSystemCalls,
  type CpuSnapshot,
} from './cpu-usage';

describe('CPU accounting from /proc', () => {
  it('when a command name holds spaces and parentheses, then utime and stime are still found', () => {
    const stat = '4242 (node (order) svc) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0';
    expect(parseProcessCpuSeconds(stat)).toBe(3);
    expect(parseCpuTimes(stat)).toEqual({ name: 'node (order) svc', user: 2.5, system: 0.5 });
  });

  it('when the machine line is read, then busy, iowait and steal are told apart', () => {
    expect(parseMachineCpu('cpu  300 0 100 500 50 0 10 40 0 0\ncpu0 1 2 3\n')).toEqual({
      busy: 4.1,
      iowait: 0.5,
      steal: 0.4,
      total: 10,
    });
  });

  // pid 1 is followed throughout; pid 2 started before the earlier snapshot without being followed;
  // pid 3 started between the snapshots (a database connection a pool opened under load).
  const before: CpuSnapshot = {
    machine: { busy: 10, iowait: 1, steal: 0, total: 20 },
    takenAt: 1_000,
    processes: { order: new Map([[1, 5]]) },
    startedAt: { order: new Map([[1, 10]]) },
    systemCalls: { order: new Map([[1, { reads: 100, writes: 50 }]]) },
  };
  const after: CpuSnapshot = {
    machine: { busy: 25, iowait: 1, steal: 1, total: 40 },
    takenAt: 1_010,
    processes: {
      order: new Map([
        [1, 7.5],
        [2, 100],
        [3, 0.25],
      ]),
    },
    startedAt: {
      order: new Map([
        [1, 10],
        [2, 900],
        [3, 1_004],
      ]),
    },
    systemCalls: {
      order: new Map([
        [1, { reads: 130, writes: 60 }],
        [2, { reads: 9_000, writes: 9_000 }],
        [3, { reads: 20, writes: 7 }],
      ]),
    },
  };

  it('when a process started between the snapshots, then its whole life counts; one that ran before unfollowed counts nothing', () => {
    expect(cpuBetween(before, after)).toEqual({
      seconds: { order: 2.75 },
      processSeconds: { order: [2.5, 0.25] },
      systemCalls: { order: { reads: 50, writes: 17 } },
      machineBusy: 0.75,
      machineIowait: 0,
      machineSteal: 0.05,
    });
  });

  it('when the stat line is read, then the start time is found after a name with spaces and parentheses', () => {
    const stat =
      '4242 (node (order) svc) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 123456 1000000 100';
    expect(parseProcessStartSeconds(stat)).toBe(1234.56);
  });

  it('when /proc/<pid>/io is read, then its read and write system calls are found, and a file without them gives none', () => {
    const io =
      'rchar: 6976\nwchar: 120\nsyscr: 10\nsyscw: 3\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n';
    expect(parseSystemCalls(io)).toEqual({ reads: 10, writes: 3 });
    expect(parseSystemCalls('rchar: 1\n')).toBeUndefined();
  });
});
