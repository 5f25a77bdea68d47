import { componentOfScript, shortFile } from './components';
import type { CpuProfile, CpuProfileNode, ProcessProfiles } from './cpu-profile';

/** Microseconds on the monotonic clock the profiles use (`process.hrtime.bigint() / 1000n`). */
export interface ProfileWindow {
  fromMicros: number;
  toMicros: number;
}

/** A component's share of a service's busy samples. */
export interface ComponentShare {
  component: string;
  /** Samples with a frame of the component anywhere on the stack (counted once per sample). */
  inclusive: number;
  /**
   * Samples whose innermost frame of any component is this one's: its own code and the Node
   * internals and native code it called. The self shares of all components, `unattributed`, GC
   * and `(program)` add up to 1.
   */
  self: number;
}

export interface FunctionShare {
  functionName: string;
  /** `pg/lib/client.js`, `libs/outbox/src/relay.ts`, `node:net`, `(native)`. */
  file: string;
  /** One-based, as editors show it. */
  line: number;
  /** Share of busy samples with this function as the sampled leaf. */
  self: number;
}

export interface ServiceProfileSummary {
  processes: number;
  /** Samples in the window, idle included. */
  samples: number;
  /** Samples in the window that were not `(idle)`: the denominator of every share. */
  busySamples: number;
  garbageCollector: number;
  /** `(program)`: native work of the VM and the event loop with no JavaScript on the stack. */
  program: number;
  /** JavaScript stacks with no component's frame (Node's own modules alone: timers, streams...). */
  unattributed: number;
  /** By inclusive share, largest first. */
  components: ComponentShare[];
  /** By self share, largest first. */
  topSelf: FunctionShare[];
}

/** Per service (all its instances' samples together). */
export type ProfileSummary = Record<string, ServiceProfileSummary>;

const IDLE = '(idle)';
const GARBAGE_COLLECTOR = '(garbage collector)';
const PROGRAM = '(program)';
const ROOT = '(root)';
/** The nodes V8 adds for states with no JavaScript stack. */
const VM_STATES = new Set([IDLE, GARBAGE_COLLECTOR, PROGRAM, ROOT]);

/** What each call-tree node stands for, worked out once per node rather than once per sample. */
interface NodeAttribution {
  /** Components anywhere on the stack from the root to this node. */
  components: ReadonlySet<string>;
  /** The innermost component on that stack. */
  owner: string | undefined;
  leaf: string;
}

function attributeNodes(profile: CpuProfile, workspaceRoot: string): Map<number, NodeAttribution> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const attributions = new Map<number, NodeAttribution>();
  const none: NodeAttribution = { components: new Set(), owner: undefined, leaf: ROOT };

  const attribute = (node: CpuProfileNode): NodeAttribution => {
    const known = attributions.get(node.id);
    if (known) return known;
    // Iterative walk up to the nearest attributed ancestor: a deep stack would overflow recursion.
    const path: CpuProfileNode[] = [];
    let current: CpuProfileNode | undefined = node;
    while (current && !attributions.has(current.id)) {
      path.push(current);
      const parent = parentOf.get(current.id);
      current = parent === undefined ? undefined : byId.get(parent);
    }
    let above = current ? (attributions.get(current.id) ?? none) : none;
    for (const step of path.reverse()) {
      const { functionName, url, lineNumber } = step.callFrame;
      const component = componentOfScript(url, workspaceRoot);
      const components =
        component === undefined || above.components.has(component)
          ? above.components
          : new Set([...above.components, component]);
      above = {
        components,
        owner: component ?? above.owner,
        leaf: `${functionName}\0${url}\0${lineNumber}`,
      };
      attributions.set(step.id, above);
    }
    return above;
  };
  for (const node of profile.nodes) attribute(node);
  return attributions;
}

/** The sampled node ids whose time falls in the window (all of them without one). */
function samplesInWindow(profile: CpuProfile, window: ProfileWindow | undefined): number[] {
  if (!window) return profile.samples;
  const inWindow: number[] = [];
  let at = profile.startTime;
  profile.samples.forEach((nodeId, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= window.fromMicros && at < window.toMicros) inWindow.push(nodeId);
  });
  return inWindow;
}

class ServiceTally {
  processes = 0;
  samples = 0;
  busy = 0;
  garbageCollector = 0;
  program = 0;
  unattributed = 0;
  readonly inclusive = new Map<string, number>();
  readonly self = new Map<string, number>();
  readonly leaves = new Map<string, number>();

  add(profile: CpuProfile, window: ProfileWindow | undefined, workspaceRoot: string): void {
    const attributions = attributeNodes(profile, workspaceRoot);
    const special = new Map(
      profile.nodes
        .filter((node) => node.callFrame.url === '' && VM_STATES.has(node.callFrame.functionName))
        .map((node) => [node.id, node.callFrame.functionName]),
    );
    const increment = (counts: Map<string, number>, key: string) =>
      counts.set(key, (counts.get(key) ?? 0) + 1);
    // Samples are counted, not weighted by their time deltas: on a starved machine the gap before
    // a sample includes time the process was not running at all.
    for (const nodeId of samplesInWindow(profile, window)) {
      this.samples += 1;
      const name = special.get(nodeId);
      if (name === IDLE) continue;
      this.busy += 1;
      if (name === GARBAGE_COLLECTOR) this.garbageCollector += 1;
      else if (name === PROGRAM || name === ROOT) this.program += 1;
      const attribution = attributions.get(nodeId);
      if (!attribution || name !== undefined) continue;
      for (const component of attribution.components) increment(this.inclusive, component);
      if (attribution.owner === undefined) this.unattributed += 1;
      else increment(this.self, attribution.owner);
      increment(this.leaves, attribution.leaf);
    }
  }

  summary(workspaceRoot: string, topFunctions: number): ServiceProfileSummary {
    const share = (count: number) => (this.busy === 0 ? 0 : count / this.busy);
    const components = [...new Set([...this.inclusive.keys(), ...this.self.keys()])]
      .map((component) => ({
        component,
        inclusive: share(this.inclusive.get(component) ?? 0),
        self: share(this.self.get(component) ?? 0),
      }))
      .sort((a, b) => b.inclusive - a.inclusive || b.self - a.self);
    const topSelf = [...this.leaves]
      .sort(([, a], [, b]) => b - a)
      .slice(0, topFunctions)
      .map(([leaf, count]) => {
        const [functionName = '', url = '', line = '0'] = leaf.split('\0');
        return {
          functionName: functionName || '(anonymous)',
          file: shortFile(url, workspaceRoot),
          line: Number(line) + 1,
          self: share(count),
        };
      });
    return {
      processes: this.processes,
      samples: this.samples,
      busySamples: this.busy,
      garbageCollector: share(this.garbageCollector),
      program: share(this.program),
      unattributed: share(this.unattributed),
      components,
      topSelf,
    };
  }
}

export interface SummarizeOptions {
  /** Only the samples taken in this window (e.g. the measured load); the whole profile without it. */
  window?: ProfileWindow;
  /** The checkout the services ran from: its files outside node_modules are the project's code. */
  workspaceRoot: string;
  /** How many functions to list by self time (default 10). */
  topFunctions?: number;
}

/**
 * Where each service's busy CPU went, by component and by function, from its processes' CPU
 * profiles. A sample counts for every component with a frame anywhere on its stack (once per
 * component, however many frames it has there), so inclusive shares overlap: Prisma's include the
 * node-postgres calls it makes, and OpenTelemetry's wrappers may sit around both.
 */
export function summarizeProfiles(
  processes: readonly ProcessProfiles[],
  { window, workspaceRoot, topFunctions = 10 }: SummarizeOptions,
): ProfileSummary {
  const tallies = new Map<string, ServiceTally>();
  for (const { service, profiles } of processes) {
    let tally = tallies.get(service);
    if (!tally) tallies.set(service, (tally = new ServiceTally()));
    tally.processes += 1;
    for (const profile of profiles) tally.add(profile, window, workspaceRoot);
  }
  return Object.fromEntries(
    [...tallies].map(([service, tally]) => [service, tally.summary(workspaceRoot, topFunctions)]),
  );
}
