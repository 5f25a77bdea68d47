import type { FaultKind, FaultRecord } from './report';

/** A fault under way: `end` records its outcome and how long it took. */
export interface FaultInProgress {
  end(ok: boolean, detail: string): void;
}

/** Every fault of a run, when it began (seconds into the load), how long it took and its outcome. */
export class FaultLog {
  private readonly faults: FaultRecord[] = [];

  constructor(
    private readonly since: number,
    private readonly log: (line: string) => void,
  ) {}

  get records(): readonly FaultRecord[] {
    return this.faults;
  }

  /** Starts recording a fault whose outcome arrives later (a restart finishing in the background). */
  begin(kind: FaultKind, target: string): FaultInProgress {
    const at = Date.now();
    const record: FaultRecord = {
      kind,
      target,
      atSeconds: (at - this.since) / 1000,
      tookSeconds: 0,
      ok: false,
      detail: 'did not end',
    };
    this.faults.push(record);
    this.log(`fault: ${kind} (${target})`);
    return {
      end: (ok, detail) => {
        Object.assign(record, { ok, detail, tookSeconds: (Date.now() - at) / 1000 });
        this.log(`  ${kind} (${target}): ${ok ? '' : 'FAILED: '}${detail}`);
      },
    };
  }

  /**
   * Runs `fault` and records what it resolves with. A rejection is a failed fault, recorded with
   * its message (the run goes on): a fault whose outcome is wrong throws an error that says what
   * came of it.
   */
  async inject(kind: FaultKind, target: string, fault: () => Promise<string>): Promise<void> {
    const inProgress = this.begin(kind, target);
    try {
      inProgress.end(true, await fault());
    } catch (error) {
      inProgress.end(false, firstLine(error));
    }
  }
}

export function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}
