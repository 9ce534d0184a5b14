// Command-line pieces shared by the tools that edit stack files (env-sync, promote).
import { Command, InvalidArgumentError, Option } from "commander";
import { parseArguments } from "../../packages/tool-common/src/cli";
import { type HolderName, LockRefused, parseHolderName } from "./fileLock";
import { EditRefused, backupFolder } from "./stackFileWriter";

export const defaultLockTimeoutSeconds = 10;
const maxLockTimeoutSeconds = 3600;

function parseLockTimeoutSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0 || seconds > maxLockTimeoutSeconds) {
    throw new InvalidArgumentError(`allowed: seconds from 0 to ${maxLockTimeoutSeconds}`);
  }
  return seconds;
}

function parseBreakLock(value: string): HolderName {
  const holder = parseHolderName(value);
  if (holder === undefined) throw new InvalidArgumentError("give the holder a lock refusal names, as <pid>@<host>");
  return holder;
}

/**
 * `--lock-timeout <seconds>`: how long to wait for another run editing the same stack file;
 * `--break-lock <pid>@<host>`: remove the lock that holder left, once a person checked it is gone.
 */
export function addLockOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--lock-timeout <seconds>", "wait this long for another run editing the same stack file, then refuse")
        .argParser(parseLockTimeoutSeconds)
        .default(defaultLockTimeoutSeconds),
    )
    .addOption(
      new Option("--break-lock <pid@host>", "remove the lock this holder left (after checking it no longer runs), then edit").argParser(parseBreakLock),
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

/** What every stack-file editing command is asked to do. */
export interface EditRequest {
  from: string;
  to: string;
  /** Folder of the stack files. */
  directory: string;
  dryRun: boolean;
  yes: boolean;
  lockTimeoutSeconds: number;
  /** The holder whose lock to remove first (`--break-lock`). */
  breakLock?: HolderName;
}

/**
 * The command line of a tool that edits one stack file from another: `--from`, `--to`,
 * `--dry-run`, `--yes` (whose meaning the tool says), `-C`, `--lock-timeout`; then `run`,
 * with refusals and operating-system errors as one line and exit 2.
 */
export async function runEditCommand(
  tool: string,
  argv: string[],
  help: { description: string; from: string; to: string; yes: string; cwd: string },
  run: (request: EditRequest) => Promise<number>,
): Promise<number> {
  const command = new Command(`npm run ${tool} --`)
    .description(help.description)
    .requiredOption("--from <stack>", help.from)
    .requiredOption("--to <stack>", help.to)
    .option("--dry-run", "print the diff, write nothing", false)
    .option("--yes", help.yes, false)
    .option("-C, --cwd <dir>", "folder of the stack files", help.cwd);
  addLockOptions(command).addHelpText(
    "after",
    `\nThe target file is validated before it is written, locked while it is edited, and backed up to ${backupFolder}/ first.\nExit status: 0 done or nothing to do, 1 the result would fail the stack config schema (nothing written), 2 refused.`,
  );
  const stop = parseArguments(command, argv);
  if (stop !== undefined) return stop;
  try {
    const { cwd, lockTimeout, ...options } = command.opts<{ from: string; to: string; dryRun: boolean; yes: boolean; cwd: string; lockTimeout: number; breakLock?: HolderName }>();
    return await run({ ...options, directory: cwd, lockTimeoutSeconds: lockTimeout });
  } catch (error) {
    const line = error instanceof EditRefused || error instanceof LockRefused ? error.message : describeSystemError(error);
    if (line === undefined) throw error;
    console.error(`${tool}: ${line}`);
    return 2;
  }
}
