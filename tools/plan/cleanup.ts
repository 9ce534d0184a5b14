// What must be undone before the plan exits, on every path: the normal end, a refusal, an
// error, a signal. Today that is stopping the policy pack's process.

export class Cleanup {
  private readonly steps: (() => unknown)[] = [];
  private running: Promise<void> | undefined;

  /** Adds a step; once the cleanup has begun (a signal came first), the step runs at once. */
  defer(step: () => unknown): void {
    if (this.running) void Promise.resolve().then(step).catch(() => undefined);
    else this.steps.push(step);
  }

  /** Has the cleanup begun? Work still in flight then fails because of it, not on its own. */
  get started(): boolean {
    return this.running !== undefined;
  }

  /** Runs every step once, the last added first; later calls wait for the same run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step();
        } catch {
          // One step that fails must not keep the others from running.
        }
      }
    })();
    return this.running;
  }
}
