// Which stack a database belongs to, whether that stack is production, and its databaseUrl
// output through the real Pulumi CLI. Production is decided only by stacks/production.ts.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { nameEnvironmentConflict, productionReason } from "../../stacks/production";
import { stackNameProblem } from "../../stacks/stackName";
import { StackFileError, readStackFile } from "../engine/stackFile";
import { Refusal } from "./errors";

const environmentKey = "trading-bot:environment";

/**
 * Why `stack` is production, or undefined when it is not: by its name, or by the
 * `trading-bot:environment` of its stack file in `directory` when that file exists.
 * A name this project cannot build, an unreadable stack file, or a name and file that
 * disagree are refused.
 */
export function stackProductionReason(stack: string, directory: string): string | undefined {
  const nameProblem = stackNameProblem(stack);
  if (nameProblem) throw new Refusal(nameProblem);
  const environment = stackEnvironment(stack, directory);
  // A production name with a stack file that says otherwise is a config error; without a file the name decides.
  const conflict = environment === undefined ? undefined : nameEnvironmentConflict(stack, environment);
  if (conflict) throw new Refusal(conflict);
  return productionReason(stack, environment);
}

function stackEnvironment(stack: string, directory: string): unknown {
  // lstat, not exists: a dangling symbolic link is a file we cannot read, not a missing one.
  if (!fileEntryExists(path.join(directory, `Pulumi.${stack}.yaml`))) return undefined;
  try {
    return readStackFile(directory, stack).config[environmentKey];
  } catch (error) {
    if (error instanceof StackFileError) throw new Refusal(error.message);
    throw new Refusal(`Pulumi.${stack}.yaml cannot be read: ${(error as Error).message}`);
  }
}

function fileEntryExists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** `pulumi stack output databaseUrl --show-secrets --stack <stack>`, run without a shell. */
export function stackDatabaseUrl(stack: string, directory: string): Promise<string> {
  const args = ["stack", "output", "databaseUrl", "--show-secrets", "--stack", stack];
  return new Promise((resolve, reject) => {
    execFile("pulumi", args, { cwd: directory, timeout: 120_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        return reject(new Refusal(`the Pulumi CLI (pulumi) is not on PATH: install it, or give the database with a URL option`));
      }
      if (error) {
        const reason = String(stderr).trim().split("\n")[0] || `exit status ${error.code}`;
        return reject(new Refusal(`pulumi stack output databaseUrl --stack ${stack} failed: ${reason}`));
      }
      const url = String(stdout).trim();
      if (!url) return reject(new Refusal(`the stack ${stack} has no databaseUrl output`));
      resolve(url);
    });
  });
}
