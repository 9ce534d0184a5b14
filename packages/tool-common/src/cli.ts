import { Command, CommanderError } from "commander";

/**
 * Parses the arguments of a tool's command: usage errors print commander's own line and
 * mean exit status 2, `--help` exit 0. Returns undefined when the tool should go on.
 */
export function parseArguments(command: Command, argv: string[]): number | undefined {
  command.exitOverride().configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    command.parse(argv, { from: "user" });
    return undefined;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}
