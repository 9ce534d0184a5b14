// Stack traces off while a program runs under mocks. Pulumi's runtime takes one for every
// promise it makes (only for its leak report, `debuggablePromise`) and one for every resource
// (its source position, which only a real engine shows); under the tests' source maps each costs
// more than the resource it belongs to. Without them a mock run takes about a fifth of the CPU,
// with the same resources, inputs and outputs.

/** How many `withoutStackTraces` calls are running: the limit is restored when the last ends. */
let stacklessDepth = 0;
let savedStackTraceLimit = Error.stackTraceLimit;

/** Runs `work` with no stack traces captured. Errors thrown inside keep their messages, not their stacks. */
export async function withoutStackTraces<T>(work: () => Promise<T>): Promise<T> {
  if (stacklessDepth++ === 0) {
    savedStackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  }
  try {
    return await work();
  } finally {
    if (--stacklessDepth === 0) Error.stackTraceLimit = savedStackTraceLimit;
  }
}
