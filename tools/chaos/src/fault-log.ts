import type { FaultRecord } from './report';

/** A fault under way: `end` records its outcome and how long it took. */
export interface FaultInProgress {
  end(ok: boolean, result: string): void;
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
  begin(name: string): FaultInProgress {
    const at = Date.now();
    const record: FaultRecord = {
      name,
      atSeconds: (at - this.since) / 1000,
      tookSeconds: 0,
      ok: false,
      result: 'did not end',
    };
    this.faults.push(record);
    this.log(`fault: ${name}`);
    return {
      end: (ok, result) => {
        Object.assign(record, { ok, result, tookSeconds: (Date.now() - at) / 1000 });
        this.log(`  ${name}: ${ok ? '' : 'FAILED: '}${result}`);
      },
    };
  }

  /** Runs `fault` and records its result, or its error as a failed fault (the run goes on). */
  async inject(name: string, fault: () => Promise<string>): Promise<void> {
    const inProgress = this.begin(name);
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
