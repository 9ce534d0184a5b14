// Which stack a database belongs to, whether that stack is production, and its databaseUrl
// output through the real Pulumi CLI. Production is decided only by stacks/production.ts,
// from the stack's name and its stack file: a target must have one, a source without one is
// treated as production.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { nameEnvironmentConflict, productionReason } from "../../stacks/production";
import { stackNameProblem } from "../../stacks/stackName";
import { StackFileError, readStackFile } from "../engine/stackFile";
import { Refusal } from "./errors";

const environmentKey = "trading-bot:environment";

/** A stack's file as the production guard reads it: absent, or its `trading-bot:environment`. */
type StackFileStage = { found: false } | { found: true; environment: unknown };

/**
 * Reads what the guard needs of `Pulumi.<stack>.yaml` in `directory`. A name this project
 * cannot build, an unreadable stack file, or a production name whose file says otherwise
 * are refused.
 */
function stackFileStage(stack: string, directory: string): StackFileStage {
  const nameProblem = stackNameProblem(stack);
  if (nameProblem) throw new Refusal(nameProblem);
  const onDisk = stackEnvironment(stack, directory);
  const stage = onDisk.found ? onDisk : taskStackStage(stack);
  const conflict = stage.found ? nameEnvironmentConflict(stack, stage.environment) : undefined;
  if (conflict) throw new Refusal(conflict);
  return stage;
}

/**
 * Why the TARGET stack is production, or undefined when it is not. Its stack file must be in
 * `directory`: without it nothing says the stack is not production (a typo, a wrong -C).
 */
export function targetProductionReason(stack: string, directory: string): string | undefined {
  const stage = stackFileStage(stack, directory);
  if (stage.found) return productionReason(stack, stage.environment);
  const byName = productionReason(stack, undefined);
  if (byName) return byName;
  throw new Refusal(
    `${stack}: no Pulumi.${stack}.yaml in ${directory}; the target's stack file says whether it is production (-C names the folder of the stack files)`,
  );
}

/**
 * Why reading the SOURCE stack needs --yes, or undefined when it does not: production by
 * stacks/production.ts, or `certain: false` when `directory` has no stack file for it (it
 * may be production).
 */
export function sourceProductionReason(stack: string, directory: string): { reason: string; certain: boolean } | undefined {
  const stage = stackFileStage(stack, directory);
  const reason = productionReason(stack, stage.found ? stage.environment : undefined);
  if (reason) return { reason, certain: true };
  if (!stage.found) return { reason: `no Pulumi.${stack}.yaml in ${directory} says otherwise; -C names the folder of the stack files`, certain: false };
  return undefined;
}

/**
 * Inside a stack's data-sync task the image holds no stack files; the task definition says
 * which stack the task serves and that stack's environment, as the program read them from the
 * validated stack config (infra/dataSync.ts, stacks/tradingBot.ts). Only for that stack.
 */
function taskStackStage(stack: string, environment: NodeJS.ProcessEnv = process.env): StackFileStage {
  if (environment.DATA_SYNC_STACK !== stack || !environment.DATA_SYNC_ENVIRONMENT) return { found: false };
  return { found: true, environment: environment.DATA_SYNC_ENVIRONMENT };
}

function stackEnvironment(stack: string, directory: string): StackFileStage {
  // lstat, not exists: a dangling symbolic link is a file we cannot read, not a missing one.
  if (!fileEntryExists(path.join(directory, `Pulumi.${stack}.yaml`))) return { found: false };
  try {
    return { found: true, environment: readStackFile(directory, stack).config[environmentKey] };
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
