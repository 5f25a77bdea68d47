/**
 * What the run started, undone in reverse order: at the end, on a failure, and on Ctrl-C (SIGINT)
 * or SIGTERM. A step that fails is reported and the others still run, so one stuck service never
 * leaves databases or topics behind.
 */
export class Cleanup {
  private readonly steps: { description: string; undo: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();

  /** Aborted on the first signal: long phases check it and stop early. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  add(description: string, undo: () => Promise<void>): void {
    this.steps.push({ description, undo });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) {
        try {
          await step.undo();
        } catch (error) {
          console.error(`cleanup: ${step.description} failed:`, error);
        }
      }
    })();
    return this.running;
  }

  /** First signal: stop the load, clean up, exit 130. A second one exits at once. */
  exitOnSignals(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.abort.signal.aborted) {
        console.error(`${signal} again: exiting without finishing the cleanup`);
        process.exit(130);
      }
      console.error(`${signal}: stopping the load and cleaning up (again to exit at once)`);
      this.abort.abort(new Error(`interrupted by ${signal}`));
      void this.run().then(() => process.exit(130));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}
