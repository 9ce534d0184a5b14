// npm run env-sync -- --from <stack> --to <stack> [--dry-run] [--yes]
// Copies the config keys the schema marks shared from one stack file to another, keeping
// the target's comments and key order; never into production.
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { createTwoFilesPatch } from "diff";
import YAML, { Document, isNode, isScalar, visit } from "yaml";
import { defaultProductionNames, isProductionName } from "../../stacks/production";
import { StackConfigError, parseStackConfig, sharedConfigPaths } from "../../stacks/config";
import { parseArguments } from "../common/cli";
import { findProjectRoot } from "../common/projectRoot";
import { StackFileError, parseStackFile, withPlaceholderSecrets } from "../engine/stackFile";

/** Where the target file is copied before it is changed, under the stack files' folder. */
export const backupFolder = ".pulumi-backups";

class SyncRefused extends Error {}

const stackNamePattern = /^[\w.-]+$/;

function readStack(directory: string, stack: string): { file: string; text: string; document: Document } {
  if (!stackNamePattern.test(stack)) throw new SyncRefused(`"${stack}" is not a stack name: use letters, digits, -, _ and .`);
  const file = path.join(directory, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new SyncRefused(`${path.basename(file)} does not exist in ${directory}`);
  const text = fs.readFileSync(file, "utf8");
  const document = YAML.parseDocument(text);
  if (document.errors.length > 0) throw new SyncRefused(`${path.basename(file)}: not valid YAML: ${document.errors[0].message.split("\n")[0]}`);
  return { file, text, document };
}

/** Does the subtree hold a `secure:` value (a map with the single key `secure`)? */
function holdsSecret(node: unknown): boolean {
  if (!isNode(node)) return false;
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

/** `["trading-bot:app", "logFormat"]` -> `trading-bot:app.logFormat`. */
const keyOf = (configPath: string[]) => configPath.join(".");

export interface SyncOptions {
  from: string;
  to: string;
  directory: string;
  dryRun: boolean;
  yes: boolean;
}

/** Runs one sync; returns the exit status. Prints its report on stdout, refusals on stderr. */
export function syncStacks({ from, to, directory, dryRun, yes }: SyncOptions): number {
  if (from === to) throw new SyncRefused("--from and --to name the same stack");
  // Refuse a production target before reading or touching anything.
  if (isProductionName(to)) {
    throw new SyncRefused(`refusing to write to ${to}: it is a production stack (${defaultProductionNames.join(", ")}); config flows from production down, never into it`);
  }
  if (isProductionName(from)) {
    if (!yes && !dryRun) throw new SyncRefused(`${from} is a production stack: check what would change with --dry-run, then pass --yes to copy from it`);
    console.error(`env-sync: warning: copying from the production stack ${from}`);
  }
  const source = readStack(directory, from);
  const target = readStack(directory, to);

  const copied: string[] = [];
  const secureCommands: string[] = [];
  for (const configPath of sharedConfigPaths()) {
    const documentPath = ["config", ...configPath];
    const node = source.document.getIn(documentPath, true);
    if (node === undefined) continue;
    if (holdsSecret(node)) {
      const nested = configPath.length > 1 ? " --path" : "";
      secureCommands.push(`pulumi config cp --stack ${from} --dest ${to}${nested} '${keyOf(configPath)}'`);
      continue;
    }
    const current = target.document.getIn(documentPath, true);
    const same = JSON.stringify(isNode(current) ? current.toJSON() : current) === JSON.stringify(isNode(node) ? node.toJSON() : node);
    if (same) continue;
    target.document.setIn(documentPath, isNode(node) ? node.clone() : node);
    copied.push(keyOf(configPath));
  }

  const name = `Pulumi.${to}.yaml`;
  const updated = target.document.toString({ lineWidth: 0 });
  const printSecureCommands = () => {
    if (secureCommands.length === 0) return;
    console.log("Secret values are encrypted per stack and were not copied; copy them with:");
    for (const command of secureCommands) console.log(`  ${command}`);
  };
  if (copied.length === 0) {
    console.log(`${name} already agrees with Pulumi.${from}.yaml on every shared key.`);
    printSecureCommands();
    return 0;
  }

  console.log(`Shared keys copied from Pulumi.${from}.yaml: ${copied.join(", ")}`);
  process.stdout.write(createTwoFilesPatch(name, name, target.text, updated, "before", `after env-sync from ${from}`));
  if (dryRun) {
    console.log("Dry run: nothing written.");
    printSecureCommands();
    return 0;
  }

  const backups = path.join(directory, backupFolder);
  fs.mkdirSync(backups, { recursive: true });
  const backup = path.join(backups, `${name}.${new Date().toISOString().replace(/[:.]/g, "-")}`);
  fs.copyFileSync(target.file, backup);
  fs.writeFileSync(target.file, updated);
  try {
    const file = withPlaceholderSecrets(parseStackFile(to, updated));
    parseStackConfig(to, file.config, (key) => file.secretKeys.includes(key));
  } catch (error) {
    fs.copyFileSync(backup, target.file);
    const problems = error instanceof StackConfigError ? error.problems : [(error as Error).message];
    console.error(`env-sync: the synced ${name} fails the stack config schema; restored it from ${path.relative(directory, backup)}:`);
    for (const problem of problems) console.error(`  ${problem}`);
    return 1;
  }
  console.log(`Backed up the old ${name} to ${path.relative(directory, backup)}.`);
  printSecureCommands();
  console.log(`Apply it (the services restart with the new config): pulumi up --stack ${to}`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const command = new Command("npm run env-sync --")
    .description("Copy the config keys the stack config schema marks shared from one stack file to another. Never into production.")
    .requiredOption("--from <stack>", "stack to copy from")
    .requiredOption("--to <stack>", "stack to copy into (never a production stack)")
    .option("--dry-run", "print the diff, write nothing", false)
    .option("--yes", "allow a production stack as the source", false)
    .option("-C, --cwd <dir>", "folder of the stack files", findProjectRoot())
    .addHelpText("after", `\nThe target file is backed up to ${backupFolder}/ first. Exit status: 0 done or nothing to do, 1 the result failed validation (restored), 2 refused.`);
  const stop = parseArguments(command, argv);
  if (stop !== undefined) return stop;
  const options = command.opts<{ from: string; to: string; dryRun: boolean; yes: boolean; cwd: string }>();
  try {
    return syncStacks({ from: options.from, to: options.to, directory: options.cwd, dryRun: options.dryRun, yes: options.yes });
  } catch (error) {
    if (error instanceof SyncRefused || error instanceof StackFileError) {
      console.error(`env-sync: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
