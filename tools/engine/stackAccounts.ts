// What each stack file of a folder says of its AWS account, for the shared-account check of
// the plan and of `npm run stacks` (stacks/sharedAccount.ts decides). Files are read by the
// one reader (packages/stack-files/src/stackFile.ts) and judged by the one rule (packages/stack-files/src/production.ts).
import * as fs from "node:fs";
import { StackAccount, sharedAccountProblem } from "../../stacks/sharedAccount";
import { StackFileContent, StackFileError, readStackFile, stackFileProductionReason } from "../../packages/stack-files/src/stackFile";
import { allowedAccountOf } from "../../stacks/stackFileKeys";

/** The account facts of a read stack file; a bad `aws:allowedAccountIds` is refused in one line. */
export function stackAccountOf(file: StackFileContent): StackAccount {
  const key = "aws:allowedAccountIds";
  let accountId: string | undefined;
  try {
    accountId = allowedAccountOf(file.config[key]);
  } catch (error) {
    throw new StackFileError(`${file.fileName}: ${key} ${(error as Error).message}`);
  }
  const accounts = file.config["trading-bot:accounts"];
  return {
    stack: file.stack,
    production: stackFileProductionReason(file) !== undefined,
    accountId: accountId ?? null,
    sharedWithNonProduction: accounts !== null && typeof accounts === "object" && (accounts as Record<string, unknown>).sharedWithNonProduction === true,
  };
}

/**
 * The shared-account problem of `file` among the stack files of `directory`, or undefined.
 * Another stack's file that cannot be read is left to its own checks (`npm run stacks` refuses it).
 */
export function sharedAccountProblemFor(directory: string, file: StackFileContent): string | undefined {
  const others = fs
    .readdirSync(directory)
    .map((entry) => /^Pulumi\.([a-z][a-z0-9-]*)\.yaml$/.exec(entry)?.[1])
    .filter((stack): stack is string => stack !== undefined && stack !== file.stack)
    .flatMap((stack) => {
      try {
        return [stackAccountOf(readStackFile(directory, stack))];
      } catch {
        return [];
      }
    });
  const own = stackAccountOf(file);
  // Only the problems this stack is part of: another pair sharing an account is theirs to fix.
  const involved = others.filter((other) => other.production !== own.production && other.accountId === own.accountId);
  return sharedAccountProblem([own, ...involved]);
}
