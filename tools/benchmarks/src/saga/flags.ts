import { parseArgs } from 'node:util';

import type { RunFrom } from '@ecommerce/system-runner';

/** Closed loop: a fixed number of orders in flight. Open loop: orders placed at a fixed rate. */
export type LoadShape =
  { kind: 'concurrency'; concurrency: number } | { kind: 'rate'; ordersPerSecond: number };

export interface SagaBenchFlags {
  /** Measured seconds, after the warm-up. */
  durationSeconds: number;
  /** Seconds of load before measuring: connection pools, JIT, consumer fetch sessions settle. */
  warmupSeconds: number;
  load: LoadShape;
  /** Instances per service, in the same consumer groups. */
  instances: number;
  partitions: number;
  /**
   * Kafka nodes of a Kafka (and registry) the run starts for itself on free ports and stops at the
   * end: replication factor 3 and min.insync.replicas 2 from three nodes, 1 and 1 on one. Undefined:
   * the shared local infrastructure, or the one KAFKA_BROKERS & co. name.
   */
  kafkaBrokers?: number;
  /**
   * After a closed loop: an open loop at this percentage of the throughput it measured, for the
   * latency of a system that is not saturated (0: none). Not with an open loop of its own.
   */
  lightLoadPercent: number;
  /** Run the services under `node --cpu-prof` and summarise where their CPU went. */
  profile: boolean;
  /**
   * What the services run: `bundle` (default), the esbuild bundles the images run, built first;
   * `source`, apps/<app>/src/main.ts through tsx, as the tests and the demo run them.
   */
  runFrom: RunFrom;
  resultsDir: string;
}

export const sagaBenchUsage = `usage: npm run bench -- [options]
  --duration <s>      measured seconds of load (default 30)
  --warmup <s>        seconds of load before measuring (default 5)
  --concurrency <n>   orders in flight at any time, closed loop (default 16)
  --rate <n>          orders placed per second, open loop (instead of --concurrency)
  --instances <n>     instances of each service, same consumer groups (default 1)
  --partitions <n>    partitions of every topic (default 3)
  --brokers <n>       a Kafka of n nodes (and a registry) of the run's own, on free ports, stopped at
                      the end: replication factor 3 and min.insync.replicas 2 from 3 nodes, 1 on one
                      node (default: the shared local infrastructure, as it is)
  --light-load <pct>  after the closed loop, an open loop at this % of the throughput it measured,
                      for the latency of a system with spare capacity (default 25; 0: none)
  --profile           run the services under node --cpu-prof; the profiles' summary goes to the
                      results (profiling costs some CPU: compare figures of profiled runs only)
  --run-from <what>   bundle: the esbuild bundles the images run, built first (default);
                      source: apps/*/src/main.ts through tsx, as tests and the demo run them
  --results <dir>     where the JSON and HTML results go (default tools/benchmarks/results)`;

/** A bad command line: the message says which flag and why; the caller prints it with the usage. */
export class BenchFlagError extends Error {
  override readonly name = 'BenchFlagError';
}

function integerFlag(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new BenchFlagError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export function parseSagaBenchFlags(argv: readonly string[], defaultResultsDir: string): SagaBenchFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        duration: { type: 'string', default: '30' },
        warmup: { type: 'string', default: '5' },
        concurrency: { type: 'string' },
        rate: { type: 'string' },
        instances: { type: 'string', default: '1' },
        partitions: { type: 'string', default: '3' },
        brokers: { type: 'string' },
        'light-load': { type: 'string' },
        profile: { type: 'boolean', default: false },
        'run-from': { type: 'string', default: 'bundle' },
        results: { type: 'string', default: defaultResultsDir },
      },
    }));
  } catch (error) {
    // parseArgs names the unknown option or the missing value; keep its words, drop its stack.
    throw new BenchFlagError(error instanceof Error ? error.message : String(error));
  }
  if (values.concurrency !== undefined && values.rate !== undefined) {
    throw new BenchFlagError('--concurrency and --rate exclude each other: choose a closed or an open loop');
  }
  // 0 (none) is what an open loop does anyway, so a command line that asks for it stays valid.
  if (values.rate !== undefined && values['light-load'] !== undefined && values['light-load'] !== '0') {
    throw new BenchFlagError('--light-load follows a closed loop: --rate is an open loop already');
  }
  const runFrom = values['run-from'];
  if (runFrom !== 'bundle' && runFrom !== 'source') {
    throw new BenchFlagError(`--run-from must be bundle or source, got "${runFrom}"`);
  }
  const instances = integerFlag('instances', values.instances, 1, 8);
  const partitions = integerFlag('partitions', values.partitions, 1, 64);
  if (instances > partitions) {
    // More instances than partitions would leave consumers idle: the run would not measure what it says.
    throw new BenchFlagError(
      `--instances ${instances} exceeds --partitions ${partitions}: an instance would get no partition`,
    );
  }
  return {
    durationSeconds: integerFlag('duration', values.duration, 1, 3_600),
    warmupSeconds: integerFlag('warmup', values.warmup, 0, 600),
    load:
      values.rate !== undefined
        ? { kind: 'rate', ordersPerSecond: integerFlag('rate', values.rate, 1, 10_000) }
        : {
            kind: 'concurrency',
            concurrency: integerFlag('concurrency', values.concurrency ?? '16', 1, 1_000),
          },
    instances,
    partitions,
    ...(values.brokers !== undefined && { kafkaBrokers: integerFlag('brokers', values.brokers, 1, 5) }),
    lightLoadPercent:
      values.rate !== undefined ? 0 : integerFlag('light-load', values['light-load'] ?? '25', 0, 100),
    profile: values.profile,
    runFrom,
    resultsDir: values.results,
  };
}
