import { componentOfScript, PROJECT_CODE, SOURCE_MAP_STACK_TRACES } from './components';
import type { CallFrame, CpuProfile, CpuProfileNode } from './cpu-profile';
import { profileSummaryLines } from './format';
import { summarizeProfiles } from './summarize';

const root = '/ws';

/** A call tree written as nested [functionName, url, children] tuples; ids in depth-first order. */
type Tree = [functionName: string, url: string, children?: Tree[]];

function nodesOf(tree: Tree): CpuProfileNode[] {
  const nodes: CpuProfileNode[] = [];
  const visit = ([functionName, url, children = []]: Tree): number => {
    const node: CpuProfileNode = { id: nodes.length + 1, callFrame: frame(functionName, url), children: [] };
    nodes.push(node);
    node.children = children.map(visit);
    return node.id;
  };
  visit(tree);
  return nodes;
}

function frame(functionName: string, url: string): CallFrame {
  return { functionName, url, lineNumber: url === '' ? -1 : 9, columnNumber: 0 };
}

/**
 * A service handling an event: its handler runs a Prisma transaction inside an OpenTelemetry
 * wrapper; Prisma compiles the query (Wasm) and sends it through node-postgres, whose query is
 * itself wrapped by OpenTelemetry's pg instrumentation and ends in a native socket write.
 */
const handlerTree: Tree = [
  '(root)',
  '',
  [
    ['(program)', ''], // id 2
    ['(idle)', ''], // 3
    ['(garbage collector)', ''], // 4
    [
      'processTicksAndRejections', // 5
      'node:internal/process/task_queues',
      [
        [
          'handle', // 6
          'file:///ws/libs/consumer/src/handler.ts',
          [
            [
              'startActiveSpan', // 7
              'file:///ws/node_modules/@opentelemetry/sdk-trace/build/tracer.js',
              [
                [
                  '$transaction', // 8
                  '/ws/node_modules/@prisma/client/runtime/client.js',
                  [
                    [
                      'compile', // 9
                      '/ws/node_modules/@prisma/client/runtime/query_compiler_fast_bg.postgresql.js',
                      [['$func42', 'wasm://wasm/0a1b2c3d']], // 10
                    ],
                    [
                      'query', // 11
                      '/ws/node_modules/pg/lib/client.js',
                      [
                        [
                          'patchedQuery', // 12
                          '/ws/node_modules/@opentelemetry/instrumentation-pg/build/src/instrumentation.js',
                          [
                            [
                              'submit', // 13
                              '/ws/node_modules/pg/lib/query.js',
                              [['writev', '']], // 14
                            ],
                          ],
                        ],
                      ],
                    ],
                  ],
                ],
              ],
            ],
            ['send', '/ws/node_modules/kafkajs/src/producer/index.js'], // 15
          ],
        ],
      ],
    ],
    ['listOnTimeout', 'node:internal/timers'], // 16
  ],
];

/** Sample node ids, one per millisecond from `startTime`. */
function profileOf(samples: number[], startTime = 1_000_000): CpuProfile {
  return {
    nodes: nodesOf(handlerTree),
    startTime,
    endTime: startTime + samples.length * 1_000,
    samples,
    timeDeltas: samples.map(() => 1_000),
  };
}

// 4 idle samples and 10 busy ones: (program), GC, 2 in Wasm, 3 in the socket write, 1 in
// kafkajs, 1 in a timer with no component, 1 in the handler's own code.
const samples = [2, 3, 3, 4, 10, 10, 14, 14, 14, 15, 3, 16, 6, 3];

describe('CPU profile summary', () => {
  it('when a component has several frames on one stack, then the sample counts once for it (inclusive)', () => {
    const summary = summarizeProfiles(
      [{ process: 'order-1', service: 'order', profiles: [profileOf(samples)] }],
      {
        workspaceRoot: root,
      },
    );
    const order = summary['order'];
    expect(order).toMatchObject({ processes: 1, samples: 14, busySamples: 10 });
    const inclusive = Object.fromEntries(order?.components.map((c) => [c.component, c.inclusive]) ?? []);
    expect(inclusive).toEqual({
      [PROJECT_CODE]: 0.7, // Wasm 2 + socket write 3 + kafkajs 1 + handler 1
      OpenTelemetry: 0.5, // two OpenTelemetry frames above the socket write: counted once
      'Prisma client': 0.5,
      'node-postgres': 0.3,
      'Prisma query compiler (Wasm)': 0.2,
      kafkajs: 0.1,
    });
  });

  it('when the leaf is native or Wasm, then its self time goes to the innermost component that called it', () => {
    const order = summarizeProfiles(
      [{ process: 'order-1', service: 'order', profiles: [profileOf(samples)] }],
      {
        workspaceRoot: root,
      },
    )['order'];
    const self = Object.fromEntries(order?.components.map((c) => [c.component, c.self]) ?? []);
    expect(self).toEqual({
      [PROJECT_CODE]: 0.1,
      OpenTelemetry: 0,
      'Prisma client': 0,
      'node-postgres': 0.3, // the socket write under pg's submit, not OpenTelemetry's wrapper above it
      'Prisma query compiler (Wasm)': 0.2,
      kafkajs: 0.1,
    });
    expect(order).toMatchObject({ garbageCollector: 0.1, program: 0.1, unattributed: 0.1 });
    const selfTotal = Object.values(self).reduce((sum, share) => sum + share, 0);
    expect(selfTotal + 0.1 + 0.1 + 0.1).toBeCloseTo(1, 10);
    expect(order?.topSelf.slice(0, 2)).toEqual([
      { functionName: 'writev', file: '(native)', line: 0, self: 0.3 },
      { functionName: '$func42', file: 'wasm://wasm/0a1b2c3d', line: 10, self: 0.2 },
    ]);
  });

  it('when a window is given, then only the samples taken in it count', () => {
    // Samples at 1001, 1002, ... ms: the window [1005, 1010) ms holds the 5th to the 9th (10, 10, 14, 14, 14).
    const order = summarizeProfiles(
      [{ process: 'order-1', service: 'order', profiles: [profileOf(samples)] }],
      {
        workspaceRoot: root,
        window: { fromMicros: 1_005_000, toMicros: 1_010_000 },
      },
    )['order'];
    expect(order).toMatchObject({ samples: 5, busySamples: 5, garbageCollector: 0, program: 0 });
    expect(order?.components.find((c) => c.component === 'node-postgres')?.inclusive).toBe(0.6);
  });

  it('when a service has several processes, then their samples add up under the service', () => {
    const summary = summarizeProfiles(
      [
        { process: 'payment-1', service: 'payment', profiles: [profileOf([15, 15])] },
        { process: 'payment-2', service: 'payment', profiles: [profileOf([14, 3])] },
        { process: 'order-1', service: 'order', profiles: [profileOf([6])] },
      ],
      { workspaceRoot: root },
    );
    expect(Object.keys(summary)).toEqual(['payment', 'order']);
    expect(summary['payment']).toMatchObject({ processes: 2, samples: 4, busySamples: 3 });
    expect(summary['payment']?.components.find((c) => c.component === 'kafkajs')?.inclusive).toBeCloseTo(
      2 / 3,
    );
  });

  it('when printed, then each service shows its components, the states apart and its top functions', () => {
    const summary = summarizeProfiles(
      [{ process: 'order-1', service: 'order', profiles: [profileOf(samples)] }],
      {
        workspaceRoot: root,
      },
    );
    expect(profileSummaryLines(summary, { functions: 2 })).toEqual([
      'order: 1 process, 10 busy samples of 14',
      '  inclusive (self): project code 70 % (10 %), OpenTelemetry 50 % (0.0 %), Prisma client 50 % (0.0 %), node-postgres 30 % (30 %), Prisma query compiler (Wasm) 20 % (20 %), kafkajs 10 % (10 %)',
      '  no component: GC 10 %, (program) 10 %, Node.js alone 10 %',
      '  self   30 %  writev  (native)',
      '  self   20 %  $func42  wasm://wasm/0a1b2c3d:10',
    ]);
  });
});

describe('components of a script', () => {
  it.each([
    ['file:///ws/node_modules/pg-protocol/dist/parser.js', 'node-postgres'],
    ['/ws/node_modules/postgres-date/index.js', 'node-postgres'],
    ['/ws/node_modules/@opentelemetry/context-async-hooks/build/x.js', 'OpenTelemetry'],
    ['/ws/node_modules/require-in-the-middle/index.js', 'OpenTelemetry'],
    ['/ws/node_modules/@prisma/adapter-pg/dist/index.js', 'Prisma client'],
    ['/ws/apps/order-service/src/generated/prisma/internal/class.ts', 'Prisma client'],
    ['/ws/node_modules/@kafkajs/confluent-schema-registry/dist/x.js', 'Avro and schema registry'],
    ['/ws/node_modules/sonic-boom/index.js', 'pino'],
    ['/ws/node_modules/find-my-way/index.js', 'fastify'],
    // A package nested in another's node_modules is the inner package.
    ['/ws/node_modules/fastify/node_modules/semver/index.js', 'semver'],
    ['/ws/node_modules/@scope/unknown/lib/a.js', '@scope/unknown'],
    ['file:///ws/libs/outbox/src/outbox-relay.ts', PROJECT_CODE],
    ['node:internal/source_map/prepare_stack_trace', SOURCE_MAP_STACK_TRACES],
    ['node:net', undefined],
    ['', undefined],
    ['/elsewhere/script.js', undefined],
  ])('when the script is %s, then the component is %s', (url, component) => {
    expect(componentOfScript(url, root)).toBe(component);
  });
});
