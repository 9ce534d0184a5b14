// What each stack file of a folder says of its AWS account, for the shared-account check of
// the plan and of `npm run stacks` (stacks/sharedAccount.ts decides).
import * as fs from "node:fs";
import { isProductionStack } from "../../stacks/production";
import { StackAccount, sharedAccountProblem } from "../../stacks/sharedAccount";
import { allowedAccountOf } from "../../stacks/stackFileKeys";
import { StackFile, StackFileError, readStackFile } from "./stackFile";

/** The account facts of a read stack file; a bad `aws:allowedAccountIds` is refused in one line. */
export function stackAccountOf(file: StackFile): StackAccount {
  const key = "aws:allowedAccountIds";
  let accountId: string | undefined;
  try {
    accountId = allowedAccountOf(file.config[key]);
  } catch (error) {
    throw new StackFileError(`Pulumi.${file.stack}.yaml: ${key} ${(error as Error).message}`);
  }
  let accounts: unknown;
  try {
    accounts = JSON.parse(file.config["trading-bot:accounts"] ?? "null");
  } catch {
    accounts = null;
  }
  return {
    stack: file.stack,
    production: isProductionStack(file.stack, file.config["trading-bot:environment"]),
    accountId: accountId ?? null,
    sharedWithNonProduction: (accounts as { sharedWithNonProduction?: unknown } | null)?.sharedWithNonProduction === true,
  };
}

/**
 * The shared-account problem of `file` among the stack files of `directory`, or undefined.
 * Another stack's file that cannot be read is left to its own checks (`npm run stacks` refuses it).
 */
export function sharedAccountProblemFor(directory: string, file: StackFile): string | undefined {
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
