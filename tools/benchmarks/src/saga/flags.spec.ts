import { BenchFlagError, parseSagaBenchFlags } from './flags';

const parse = (...argv: string[]) => parseSagaBenchFlags(argv, '/results');

describe('saga benchmark flags', () => {
  it('when none are given, then the defaults make a run of about a minute on one instance', () => {
    expect(parse()).toEqual({
      durationSeconds: 30,
      warmupSeconds: 5,
      load: { kind: 'concurrency', concurrency: 16 },
      instances: 1,
      partitions: 3,
      lightLoadPercent: 25,
      profile: false,
      runFrom: 'bundle',
      resultsDir: '/results',
    });
  });

  it('when --profile and --light-load are given, then the run profiles and follows with that light load', () => {
    expect(parse('--profile', '--light-load', '50')).toMatchObject({ profile: true, lightLoadPercent: 50 });
    expect(parse('--light-load', '0')).toMatchObject({ lightLoadPercent: 0 });
  });

  it('when --run-from source is given, then the services run from source; any other value is refused by name', () => {
    expect(parse('--run-from', 'source')).toMatchObject({ runFrom: 'source' });
    expect(() => parse('--run-from', 'dist')).toThrow('--run-from must be bundle or source, got "dist"');
  });

  it('when --brokers is given, then the run starts a Kafka of that many nodes of its own', () => {
    expect(parse('--brokers', '3')).toMatchObject({ kafkaBrokers: 3 });
    expect(parse()).not.toHaveProperty('kafkaBrokers');
    expect(() => parse('--brokers', '6')).toThrow('--brokers must be an integer from 1 to 5, got "6"');
  });

  it('when --rate comes with --light-load 0, then that is accepted: an open loop has no light-load run anyway', () => {
    expect(parse('--rate', '25', '--light-load', '0')).toMatchObject({
      load: { kind: 'rate', ordersPerSecond: 25 },
      lightLoadPercent: 0,
    });
  });

  it('when --rate is given, then the load is an open loop at that rate', () => {
    expect(parse('--rate', '40', '--instances', '2', '--partitions', '6')).toMatchObject({
      load: { kind: 'rate', ordersPerSecond: 40 },
      instances: 2,
      partitions: 6,
      lightLoadPercent: 0,
    });
  });

  it.each([
    [['--duration', '0'], '--duration must be an integer from 1 to 3600, got "0"'],
    [['--concurrency', '2.5'], '--concurrency must be an integer from 1 to 1000, got "2.5"'],
    [['--partitions', 'six'], '--partitions must be an integer from 1 to 64, got "six"'],
    [['--rate=-3'], '--rate must be an integer from 1 to 10000, got "-3"'],
    [['--concurrency', '4', '--rate', '10'], '--concurrency and --rate exclude each other'],
    [['--rate', '10', '--light-load', '25'], '--light-load follows a closed loop'],
    [['--light-load', '125'], '--light-load must be an integer from 0 to 100, got "125"'],
    [['--instances', '4', '--partitions', '3'], '--instances 4 exceeds --partitions 3'],
    [['--speed', '3'], "Unknown option '--speed'"],
    [['--duration'], "Option '--duration <value>' argument missing"],
  ])('when given %j, then it refuses with a message naming the flag', (argv, message) => {
    const attempt = () => parse(...argv);
    expect(attempt).toThrow(BenchFlagError);
    expect(attempt).toThrow(message);
  });
});
