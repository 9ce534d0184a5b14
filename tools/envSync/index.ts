// npm run env-sync -- --from <stack> --to <stack> [--dry-run] [--yes] [--lock-timeout <seconds>]
// Copies the config keys the schema marks shared from one stack file to another, keeping
// the target's comments and key order; never into production. Writes through the safe
// stack file writer (tools/common/stackFileWriter.ts).
import * as path from "node:path";
import { createTwoFilesPatch } from "diff";
import { type Document, isMap, isNode, isScalar, visit } from "yaml";
import { isProductionName, productionReason } from "../../packages/stack-files/src/production";
import { sharedConfigPaths } from "../../stacks/config";
import { stackNameProblem } from "../../packages/stack-files/src/stackName";
import { EditOutcome, EditRefused, StackText, editStackFile, lfText, readStackSource, stackFileToString } from "../common/stackFileWriter";
import { type EditRequest, runEditCommand } from "../common/stackFileCli";
import type { ToolContext } from "../../packages/tool-common/src/toolContext";

/** Does the subtree hold a `secure:` value (a map with the single key `secure`)? */
function holdsSecret(node: unknown): boolean {
  if (!isNode(node)) {
    // Stryker disable next-line BooleanLiteral: planSync hands over what getIn(path, true) returns, a node or undefined (skipped before)
    return false;
  }
  let found = false;
  visit(node, {
    Map(_, map) {
      const key = map.items.length === 1 ? map.items[0].key : undefined;
      if ((isScalar(key) ? key.value : key) === "secure") {
        found = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Does the subtree hold a YAML alias (a merge key's value is one)? Copied, it would point at nothing in the target. */
function holdsAlias(node: unknown): boolean {
  let found = false;
  // Stryker disable next-line ConditionalExpression: planSync hands over what getIn(path, true) returns, a node or undefined (refused or skipped before)
  if (isNode(node)) {
    visit(node, {
      Alias() {
        found = true;
        return visit.BREAK;
      },
    });
  }
  return found;
}

/**
 * Does the subtree hold a YAML anchor (`&name`)? Copied into the target, it would become the
 * nearest anchor of that name for the target's aliases below it, and change what they read
 * (`trading-bot:environment: *env` could turn to production).
 */
function holdsAnchor(node: unknown): boolean {
  let found = false;
  // Stryker disable next-line ConditionalExpression: planSync hands over what getIn(path, true) returns, a node or undefined (skipped before)
  if (isNode(node)) {
    visit(node, (_, inner) => {
      if (isNode(inner) && inner.anchor) {
        found = true;
        return visit.BREAK;
      }
      return undefined;
    });
  }
  return found;
}

/** `["trading-bot:app", "logFormat"]` -> `trading-bot:app.logFormat`. */
const keyOf = (configPath: string[]) => configPath.join(".");

/** The value at a config path, as the Pulumi CLI reads it (aliases resolved), as JSON text for comparing. */
function valueAt(config: Record<string, unknown>, configPath: string[]): string | undefined {
  let value: unknown = config;
  for (const key of configPath) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return JSON.stringify(value);
}

export interface SyncPlan {
  /** The shared keys whose values change, as `trading-bot:app.logFormat`. */
  copied: string[];
  /** `pulumi config cp` commands for shared keys the source holds as secrets (never copied as text). */
  secureCommands: string[];
  /** The target's new text (comments and key order kept), or undefined when nothing changes. */
  updatedText: string | undefined;
}

type SyncSide = Pick<StackText, "stack" | "fileName" | "document" | "config" | "respelledKeys">;

/**
 * Refuses, in one line, a key whose parents are written as something other than a mapping
 * (left empty, a string, an alias): the YAML library cannot set a key below them. A parent
 * that is missing is fine: setting the key adds it.
 */
function checkParents(document: Document, fileName: string, configPath: string[]): void {
  for (let depth = 1; depth < configPath.length; depth++) {
    // Stryker disable next-line BooleanLiteral: keepScalar only turns a scalar parent into its value, no map either; a missing parent is undefined both ways
    const parent = document.getIn(["config", ...configPath.slice(0, depth)], true);
    if (parent === undefined) return;
    if (!isMap(parent)) {
      throw new EditRefused(`${fileName}: ${keyOf(configPath.slice(0, depth))} is not a plain mapping in the file; set ${keyOf(configPath)} there by hand`);
    }
  }
}

/** What a sync from `source` into `target` changes. Pure: neither document is modified. */
export function planSync(source: SyncSide, target: SyncSide): SyncPlan {
  const updated = target.document.clone();
  const copied: string[] = [];
  const secureCommands: string[] = [];
  for (const configPath of sharedConfigPaths()) {
    const documentPath = ["config", ...configPath];
    const writtenAs = source.respelledKeys[configPath[0]];
    if (writtenAs !== undefined) throw new EditRefused(`${source.fileName}: ${configPath[0]} is written as ${writtenAs}; write it as ${configPath[0]} to copy it`);
    const node = source.document.getIn(documentPath, true);
    // The document API sees no value reached through an alias or a merge key, and cannot copy one holding an alias.
    if (node === undefined ? valueAt(source.config, configPath) !== undefined : holdsAlias(node)) {
      throw new EditRefused(`${source.fileName}: ${keyOf(configPath)} is written with a YAML alias or merge key; write it out to copy it`);
    }
    if (node === undefined) continue;
    if (holdsAnchor(node)) {
      throw new EditRefused(`${source.fileName}: ${keyOf(configPath)} holds a YAML anchor (&name), which copied could take over an alias of ${target.fileName}; write it without the anchor to copy it`);
    }
    if (holdsSecret(node)) {
      const nested = configPath.length > 1 ? " --path" : "";
      secureCommands.push(`pulumi config cp --stack ${source.stack} --dest ${target.stack}${nested} '${keyOf(configPath)}'`);
      continue;
    }
    if (valueAt(target.config, configPath) === valueAt(source.config, configPath)) continue;
    checkParents(updated, target.fileName, configPath);
    updated.setIn(documentPath, isNode(node) ? node.clone() : node);
    copied.push(keyOf(configPath));
  }
  return { copied, secureCommands, updatedText: copied.length > 0 ? updated.toString(stackFileToString) : undefined };
}

const refuseProductionTarget = (stack: string, reason: string) =>
  new EditRefused(`refusing to write to ${stack}, a production stack: ${reason}; config flows from production down, never into it`);

/** The names, then the source: a production source needs --yes (or --dry-run). */
function checkRequest({ from, to, dryRun, yes }: EditRequest, readSource: () => StackText): StackText {
  if (from === to) throw new EditRefused("--from and --to name the same stack");
  for (const stack of [from, to]) {
    const problem = stackNameProblem(stack);
    if (problem) throw new EditRefused(problem);
  }
  // Refused by name before anything is read; by content once the writer has read the target.
  if (isProductionName(to)) throw refuseProductionTarget(to, productionReason(to, undefined) as string);
  const source = readSource();
  const sourceReason = source.productionReason;
  if (sourceReason !== undefined) {
    if (!yes && !dryRun) throw new EditRefused(`${from} is a production stack: ${sourceReason}; check what would change with --dry-run, then pass --yes to copy from it`);
    console.error(`env-sync: warning: copying from the production stack ${from}`);
  }
  return source;
}

/** Prints what happened; returns the exit status. */
function report(outcome: EditOutcome<SyncPlan>, from: string, to: string): number {
  const { plan, target } = outcome;
  const printSecureCommands = () => {
    if (plan.secureCommands.length === 0) return;
    console.log("Secret values are encrypted per stack and were not copied; copy them with:");
    for (const command of plan.secureCommands) console.log(`  ${command}`);
  };
  if (outcome.kind === "unchanged") {
    console.log(`${target.fileName} already agrees with Pulumi.${from}.yaml on every shared key.`);
    printSecureCommands();
    return 0;
  }
  console.log(`Shared keys copied from Pulumi.${from}.yaml: ${plan.copied.join(", ")}`);
  process.stdout.write(createTwoFilesPatch(target.fileName, target.fileName, lfText(target.text), lfText(outcome.updatedText), "before", `after env-sync from ${from}`));
  if (outcome.kind === "invalid") {
    console.error(`env-sync: the synced ${target.fileName} would fail the stack config schema; nothing written:`);
    for (const problem of outcome.problems) console.error(`  ${problem}`);
    return 1;
  }
  if (outcome.kind === "dry-run") {
    console.log("Dry run: nothing written.");
    printSecureCommands();
    return 0;
  }
  console.log(`Backed up the old ${target.fileName} to ${path.relative(target.directory, outcome.backupFile)}.`);
  printSecureCommands();
  console.log(`Apply it: pulumi up --stack ${to}`);
  return 0;
}

/** Runs one sync; returns the exit status. Prints its report on stdout, refusals are thrown. */
export async function syncStacks(options: EditRequest): Promise<number> {
  const { from, to, directory, dryRun } = options;
  const source = checkRequest(options, () => readStackSource(directory, from));
  const outcome = await editStackFile({
    directory,
    stack: to,
    dryRun,
    lock: { timeoutSeconds: options.lockTimeoutSeconds, command: `env-sync --from ${from} --to ${to}`, breakLock: options.breakLock },
    admit: (target) => {
      if (target.productionReason !== undefined) throw refuseProductionTarget(to, target.productionReason);
    },
    plan: (target) => planSync(source, target),
  });
  return report(outcome, from, to);
}

export async function main(argv: string[], { projectRoot }: ToolContext): Promise<number> {
  return runEditCommand("env-sync", argv, {
    description: "Copy the config keys the stack config schema marks shared from one stack file to another. Never into production.",
    from: "stack to copy from",
    to: "stack to copy into (never a production stack)",
    yes: "allow a production stack as the source",
    cwd: projectRoot,
  }, syncStacks);
}
