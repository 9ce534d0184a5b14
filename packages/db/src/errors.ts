// How a db command stops early: a check that found problems (exit 1, one line each), refused
// (exit 2, one line saying why), interrupted (130 or 143, as the shell reports a signal); any
// other failure while working (a connection, a file, S3) is exit 3 with its message.

/** Refused or bad input: exit status 2, the message is the one line printed. */
export class Refusal extends Error {}

/** A verification found problems: exit status 1, one line each. */
export class ChecksFailed extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem${problems.length === 1 ? "" : "s"} found`);
  }
}

/** The run was interrupted (SIGINT, SIGTERM): the target was left as it was. */
export class Interrupted extends Error {}
