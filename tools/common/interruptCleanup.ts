// What a run must undo when it is interrupted (SIGINT, SIGTERM, SIGHUP) while it holds something:
// its lock file, its temporary file. `finally` blocks do not run when a signal ends the
// process, so these run from the signal handler instead, then the process exits 128 + signal.
// (SIGKILL cannot be handled: what it leaves is explained by the next run.)
import * as os from "node:os";

type Cleanup = () => void;

const pending = new Set<Cleanup>();
// SIGHUP: the terminal or the SSH session that ran the tool closed.
const handledSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const cleanup of pending) {
    try {
      cleanup();
    } catch {
      // Keep undoing the rest: exiting is what the signal asked for.
    }
  }
  pending.clear();
  process.exit(128 + (os.constants.signals[signal] ?? 0));
}

/** Runs `cleanup` if the process is interrupted; returns the function that cancels it. */
export function onInterrupt(cleanup: Cleanup): () => void {
  if (pending.size === 0) for (const signal of handledSignals) process.on(signal, onSignal);
  pending.add(cleanup);
  return () => {
    pending.delete(cleanup);
    if (pending.size === 0) for (const signal of handledSignals) process.off(signal, onSignal);
  };
}
