// Which stack a database belongs to, whether that stack is production, and its databaseUrl
// output through the real Pulumi CLI. Production is decided only by packages/stack-files/src/production.ts,
// from the stack's name and its stack file read as Pulumi reads it (packages/stack-files/src/stackFile.ts): a
// target must have one, a source without one is treated as production.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { environmentKey, isProductionName, nameEnvironmentConflict, productionReason } from "../../stack-files/src/production";
import { StackFileError, StackFileRead, checkProjectFolder, readStackFile, stackFileProductionReason } from "../../stack-files/src/stackFile";
import { stackNameProblem } from "../../stack-files/src/stackName";
import { Refusal } from "./errors";

/** What the guard knows of a stack: nothing (no stack file), or why it is production (undefined: it is not). */
type StackStage = { found: false } | { found: true; productionReason: string | undefined };

/**
 * Reads what the guard needs of `Pulumi.<stack>.yaml` in `directory`, through the one
 * stack-file reader (it reads the file as Pulumi does). A name this project cannot build,
 * an unreadable stack file, or a production name whose file says otherwise are refused.
 */
function stackStage(stack: string, directory: string): StackStage {
  const nameProblem = stackNameProblem(stack);
  if (nameProblem) throw new Refusal(nameProblem);
  return stackFileStage(stack, directory) ?? taskStackStage(stack, directory);
}

/**
 * Why the TARGET stack is production, or undefined when it is not. Its stack file must be in
 * `directory`: without it nothing says the stack is not production (a typo, a wrong -C).
 */
export function targetProductionReason(stack: string, directory: string): string | undefined {
  const stage = stackStage(stack, directory);
  if (stage.found) return stage.productionReason;
  if (isProductionName(stack)) return productionReason(stack, undefined);
  throw new Refusal(
    `${stack}: no Pulumi.${stack}.yaml in ${directory}; the target's stack file says whether it is production (-C names the folder of the stack files)`,
  );
}

/**
 * Why reading the SOURCE stack needs --yes, or undefined when it does not: production by
 * packages/stack-files/src/production.ts, or `certain: false` when `directory` has no stack file for it (it
 * may be production).
 */
export function sourceProductionReason(stack: string, directory: string): { reason: string; certain: boolean } | undefined {
  const stage = stackStage(stack, directory);
  if (!stage.found) {
    if (isProductionName(stack)) return { reason: productionReason(stack, undefined)!, certain: true };
    return { reason: `no Pulumi.${stack}.yaml in ${directory} says otherwise; -C names the folder of the stack files`, certain: false };
  }
  return stage.productionReason === undefined ? undefined : { reason: stage.productionReason, certain: true };
}

/**
 * Inside a stack's data-sync task the image holds no stack files; the task definition says
 * which stack the task serves and that stack's environment, as the program read them from the
 * validated stack config (infra/dataSync.ts, stacks/tradingBot.ts). Only for that stack, and
 * only outside a project: in a folder with Pulumi.yaml (a checkout, where the variables may be
 * left over in a shell) the stack file alone decides.
 */
function taskStackStage(stack: string, directory: string, environment: NodeJS.ProcessEnv = process.env): StackStage {
  if (environment.DATA_SYNC_STACK !== stack || !environment.DATA_SYNC_ENVIRONMENT) return { found: false };
  if (fileEntryExists(path.join(directory, "Pulumi.yaml"))) return { found: false };
  // Nor in a folder inside a project: the CLI run there deploys the project's stacks.
  try {
    checkProjectFolder(directory);
  } catch (error) {
    if (error instanceof StackFileError) throw new Refusal(error.message);
    throw error;
  }
  const value = environment.DATA_SYNC_ENVIRONMENT;
  refuseConflict(stack, value);
  return { found: true, productionReason: productionReason(stack, value) };
}

/** The stack's file, read as Pulumi reads it; undefined when there is none. */
function stackFileStage(stack: string, directory: string): StackStage | undefined {
  // lstat, not exists: a dangling symbolic link is a file we cannot read, not a missing one.
  if (!fileEntryExists(path.join(directory, `Pulumi.${stack}.yaml`))) return undefined;
  let file: StackFileRead;
  try {
    file = readStackFile(directory, stack, "source");
  } catch (error) {
    if (error instanceof StackFileError) throw new Refusal(error.message);
    throw new Refusal(`Pulumi.${stack}.yaml cannot be read: ${(error as Error).message}`);
  }
  refuseConflict(stack, file.config[environmentKey]);
  return { found: true, productionReason: stackFileProductionReason(file) };
}

function refuseConflict(stack: string, environment: unknown): void {
  const conflict = nameEnvironmentConflict(stack, environment);
  if (conflict) throw new Refusal(conflict);
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
