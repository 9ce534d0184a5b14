// Command-line pieces shared by the tools that edit stack files (env-sync, promote).
import { Command, InvalidArgumentError, Option } from "commander";

export const defaultLockTimeoutSeconds = 10;
const maxLockTimeoutSeconds = 3600;

function parseLockTimeoutSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0 || seconds > maxLockTimeoutSeconds) {
    throw new InvalidArgumentError(`allowed: seconds from 0 to ${maxLockTimeoutSeconds}`);
  }
  return seconds;
}

/** `--lock-timeout <seconds>`: how long to wait for another run editing the same stack file. */
export function addLockTimeoutOption(command: Command): Command {
  return command.addOption(
    new Option("--lock-timeout <seconds>", "wait this long for another run editing the same stack file, then refuse")
      .argParser(parseLockTimeoutSeconds)
      .default(defaultLockTimeoutSeconds),
  );
}

/**
 * One line for an operating-system error on a file (permission denied, disk full, a folder
 * that does not exist), e.g. `EACCES: permission denied, open '/x/.Pulumi.dev.yaml.1.tmp'`;
 * undefined for anything else: those are bugs and keep their stack trace.
 */
export function describeSystemError(error: unknown): string | undefined {
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (typeof code !== "string" || typeof syscall !== "string") return undefined;
  return (error as Error).message.split("\n")[0];
}
