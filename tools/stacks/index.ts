// npm run stacks -- [--json] [--production | --non-production] [--branch <name>] [-C <dir>]
// The stacks of the project, read from its stack files, so that the workflows pick up a new
// Pulumi.<stack>.yaml with no edit: each stack's environment, whether it is production, the
// branch whose pushes deploy it (the article's flow) and what the data syncs may do with it.
import * as fs from "node:fs";
import Table from "cli-table3";
import { Command, Option } from "commander";
import type { z } from "zod";
import { Environment, stackConfigSchema, syncPeerOf } from "../../stacks/config";
import { environmentKey, nameEnvironmentConflict, productionEnvironment } from "../../packages/stack-files/src/production";
import { SecretValue } from "../../packages/stack-files/src/secretValue";
import { sharedAccountProblem } from "../../stacks/sharedAccount";
import { StackFileContent, StackFileError, StackFileRead, readStackFile, stackFileProductionReason } from "../../packages/stack-files/src/stackFile";
import { stackNameProblem } from "../../packages/stack-files/src/stackName";
import { parseArguments } from "../../packages/tool-common/src/cli";
import type { ToolContext } from "../../packages/tool-common/src/toolContext";
import { stackAccountOf } from "../engine/stackAccounts";

export type { Environment };

/**
 * The article's flow, by environment (never by stack name): pushes to the branches matching
 * the pattern deploy every stack of that environment. `**` as in GitHub's branch filters.
 */
export const deployBranchByEnvironment: Readonly<Record<Environment, string>> = {
  development: "feature/**",
  staging: "develop",
  production: "main",
};

/** A stack as the workflows see it; `--json` prints an array of these. */
export interface StackEntry {
  name: string;
  environment: Environment;
  /** Decided by packages/stack-files/src/production.ts from the name and the file's environment, as Pulumi reads the file. */
  production: boolean;
  /** Why it is production, or null. */
  productionReason: string | null;
  /** The branch (pattern) whose pushes deploy this stack. */
  branch: string;
  /** What the data syncs may do with this stack (`trading-bot:dataSync`), or null when its file has none. */
  dataSync: DataSyncFlags | null;
  /** The AWS account its file names (`aws:allowedAccountIds`), or null. */
  account: string | null;
}

/** The part of `trading-bot:dataSync` the env-sync workflow checks before it starts a task. */
export interface DataSyncFlags {
  /** It may export (its task writes to its own exports bucket). */
  export: boolean;
  /** It may import the exports of its `sources` (never on production). */
  import: boolean;
  /** Stacks whose import task may read its exports. */
  readers: string[];
  /** Stacks whose exports its import task may read. */
  sources: string[];
  /** The account of each reader (its entry's, or this stack's own for a bare name; null when neither is known). */
  readerAccounts: Record<string, string | null>;
  /** The account of each source, the same way: where the import expects the source's exports bucket. */
  sourceAccounts: Record<string, string | null>;
}

/** A stack file the workflows must not act on: exit 2. */
export class StackListError extends Error {}

/** Does a push to `branch` match `pattern` (an exact name, or `<prefix>/**`)? */
export function branchMatches(pattern: string, branch: string): boolean {
  if (!pattern.endsWith("/**")) return pattern === branch;
  const prefix = pattern.slice(0, -"**".length);
  return branch.startsWith(prefix) && branch.length > prefix.length;
}

/** The stack names of the folder's stack files; any other file named like one is refused. */
function stackFileNames(directory: string): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(directory);
  } catch (error) {
    throw new StackListError(`cannot read the folder ${directory}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const stacks: string[] = [];
  // Case-insensitive on purpose: on macOS and Windows `pulumi.prod.YAML` is a stack file too.
  for (const entry of entries) {
    const match = /^pulumi\.(.+)\.(ya?ml)$/i.exec(entry);
    if (!match) continue;
    if (!entry.startsWith("Pulumi.") || match[2] !== "yaml") {
      throw new StackListError(`${entry}: a stack file is named Pulumi.<stack>.yaml; rename it so every tool and the Pulumi CLI read the same file`);
    }
    const problem = stackNameProblem(match[1]);
    if (problem) throw new StackListError(`${entry}: ${problem}`);
    stacks.push(match[1]);
  }
  if (stacks.length === 0) throw new StackListError(`no stack file (Pulumi.<stack>.yaml) in ${directory}`);
  return stacks.sort();
}

/**
 * One stack file, read and classified. Read as a target would be (no link, no other name):
 * the workflows act on what this says, and a link could make one stack's file another's.
 */
function readEntry(directory: string, name: string): StackEntry & { sharedWithNonProduction: boolean } {
  let file: StackFileRead;
  try {
    file = readStackFile(directory, name, "target");
  } catch (error) {
    if (error instanceof StackFileError) throw new StackListError(error.message);
    throw error;
  }
  const productionReason = stackFileProductionReason(file);
  const environment = readEnvironment(file);
  const conflict = nameEnvironmentConflict(name, file.config[environmentKey]);
  if (conflict) throw new StackListError(`${file.fileName}: ${conflict}`);
  const { accountId, sharedWithNonProduction } = readAccount(file);
  return {
    name,
    environment,
    production: productionReason !== undefined,
    productionReason: productionReason ?? null,
    branch: deployBranchByEnvironment[environment],
    dataSync: readDataSync(file, productionReason, accountId),
    account: accountId,
    sharedWithNonProduction,
  };
}

function readAccount(file: StackFileContent): ReturnType<typeof stackAccountOf> {
  try {
    return stackAccountOf(file);
  } catch (error) {
    throw new StackListError((error as Error).message);
  }
}

/** A key the workflows act on must be plain text: they cannot decrypt it, and it names nothing secret. */
function plainValue(file: StackFileContent, key: string): unknown {
  if (file.secretKeys.includes(key)) throw new StackListError(`${file.fileName}: ${key} is a secret; it must be plain text`);
  return file.config[key];
}

/**
 * The stack's environment as the schema reads it. An encrypted one cannot be read here: such a
 * stack is production (packages/stack-files/src/production.ts), deployed as production is.
 */
function readEnvironment(file: StackFileContent): Environment {
  const value = file.config[environmentKey];
  if (value instanceof SecretValue) return productionEnvironment;
  const environment = stackConfigSchema.shape[environmentKey].safeParse(value);
  if (!environment.success) {
    const shown = value === undefined ? "missing" : JSON.stringify(value);
    throw new StackListError(`${file.fileName}: ${environmentKey} is ${shown}; ${environment.error.issues[0].message}`);
  }
  return environment.data;
}

/** `trading-bot:dataSync`, checked with the schema's own rules (the program's), and never an import into production. */
function readDataSync(file: StackFileContent, productionReason: string | undefined, ownAccount: string | null): DataSyncFlags | null {
  const key = "trading-bot:dataSync";
  const value = plainValue(file, key);
  const parsed = stackConfigSchema.shape[key].safeParse(value);
  if (!parsed.success) throw new StackListError(`${file.fileName}: ${describeIssue(key, value, parsed.error.issues[0])}`);
  if (parsed.data === undefined) return null;
  if (productionReason && parsed.data.import) {
    throw new StackListError(`${file.fileName}: ${key}.import is true; allowed: false on a production stack (${productionReason}): data flows from production down, never into it`);
  }
  const { export: exports, import: imports } = parsed.data;
  const readers = parsed.data.readers.map((peer) => syncPeerOf(peer, ownAccount));
  const sources = parsed.data.sources.map((peer) => syncPeerOf(peer, ownAccount));
  const accounts = (peers: typeof readers) => Object.fromEntries(peers.map((peer) => [peer.stack, peer.account]));
  return {
    export: exports,
    import: imports,
    readers: readers.map((peer) => peer.stack),
    sources: sources.map((peer) => peer.stack),
    readerAccounts: accounts(readers),
    sourceAccounts: accounts(sources),
  };
}

/** One schema issue in the words of the config check: `trading-bot:dataSync.readers[1] is "Staging"; allowed: ...`. */
function describeIssue(key: string, value: unknown, issue: z.core.$ZodIssue): string {
  const where = (parts: PropertyKey[]) => key + parts.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("");
  if (issue.code === "unrecognized_keys") return `${where([...issue.path, issue.keys[0]])} is not a setting`;
  let shown: unknown = value;
  for (const part of issue.path) shown = shown !== null && typeof shown === "object" ? (shown as Record<PropertyKey, unknown>)[part] : undefined;
  return `${where(issue.path)} is ${shown === undefined ? "missing" : JSON.stringify(shown)}; ${issue.message}`;
}

/** Every stack of the folder, by name; throws StackListError on the first file it refuses. */
export function listStacks(directory: string): StackEntry[] {
  const read = stackFileNames(directory).map((name) => readEntry(directory, name));
  const shared = sharedAccountProblem(read.map((entry) => ({ stack: entry.name, production: entry.production, accountId: entry.account, sharedWithNonProduction: entry.sharedWithNonProduction })));
  if (shared) throw new StackListError(shared);
  const mismatch = syncAccountMismatch(read);
  if (mismatch) throw new StackListError(mismatch);
  return read.map(({ sharedWithNonProduction: _shared, ...entry }) => entry);
}

/**
 * A data-sync reader or source named with an account its own stack file does not name (an
 * account id replaced in one file and not the other): the bucket policy or the import would
 * point at an account the stack is not in.
 */
function syncAccountMismatch(entries: StackEntry[]): string | undefined {
  const accountOf = new Map(entries.map((entry) => [entry.name, entry.account]));
  for (const entry of entries) {
    for (const [list, accounts] of [["readers", entry.dataSync?.readerAccounts], ["sources", entry.dataSync?.sourceAccounts]] as const) {
      for (const [stack, account] of Object.entries(accounts ?? {})) {
        const own = accountOf.get(stack);
        if (account !== null && own !== undefined && own !== null && own !== account) {
          return `Pulumi.${entry.name}.yaml: trading-bot:dataSync.${list} names ${stack} in the account ${account}, but Pulumi.${stack}.yaml names ${own} (aws:allowedAccountIds)`;
        }
      }
    }
  }
  return undefined;
}

export interface StackFilter {
  production?: boolean;
  nonProduction?: boolean;
  /** Only the stacks a push to this branch deploys. */
  branch?: string;
}

export function filterStacks(stacks: StackEntry[], filter: StackFilter): StackEntry[] {
  return stacks.filter(
    (stack) =>
      (!filter.production || stack.production) &&
      (!filter.nonProduction || !stack.production) &&
      (filter.branch === undefined || branchMatches(stack.branch, filter.branch)),
  );
}

/** `exports to dev; imports from prod`, or `none`. */
function dataSyncSummary(sync: DataSyncFlags | null): string {
  const parts = [
    ...(sync?.export ? [`exports to ${sync.readers.join(", ") || "no reader"}`] : []),
    ...(sync?.import ? [`imports from ${sync.sources.join(", ")}`] : []),
  ];
  return parts.join("; ") || "none";
}

function printTable(stacks: StackEntry[]): void {
  const table = new Table({
    head: ["stack", "environment", "production", "deployed by a push to", "data sync"],
    style: { head: process.stdout.isTTY ? ["cyan"] : [], border: process.stdout.isTTY ? ["grey"] : [], compact: true },
  });
  for (const stack of stacks) table.push([stack.name, stack.environment, stack.production ? "yes" : "no", stack.branch, dataSyncSummary(stack.dataSync)]);
  console.log(stacks.length > 0 ? table.toString() : "no stack matches");
}

export async function main(argv: string[], { projectRoot }: ToolContext): Promise<number> {
  const command = new Command("npm run stacks --")
    .description("List the stacks of this project from its stack files: environment, production or not, the branch that deploys each, what the data syncs may do with it.")
    .option("--json", "print a JSON array (one line), e.g. for fromJSON in a workflow matrix", false)
    .addOption(new Option("--production", "only production stacks").conflicts("nonProduction"))
    .addOption(new Option("--non-production", "only stacks that are not production"))
    .option("--branch <name>", "only the stacks a push to this branch deploys (a branch name, as GITHUB_REF_NAME)")
    .option("-C, --cwd <dir>", "folder of the stack files", projectRoot)
    .addHelpText(
      "after",
      `\nBranches: ${Object.entries(deployBranchByEnvironment).map(([environment, branch]) => `${branch} -> ${environment}`).join(", ")}.\n` +
        "Exit status: 0 listed (also when no stack matches), 2 a stack file is refused or a bad argument.",
    );
  const stop = parseArguments(command, argv);
  if (stop !== undefined) return stop;
  const options = command.opts<{ json: boolean; production?: boolean; nonProduction?: boolean; branch?: string; cwd: string }>();
  try {
    if (options.branch !== undefined && (options.branch === "" || options.branch.startsWith("refs/"))) {
      throw new StackListError(`--branch takes a branch name such as main (GITHUB_REF_NAME), not ${JSON.stringify(options.branch)}`);
    }
    const stacks = filterStacks(listStacks(options.cwd), options);
    if (options.json) console.log(JSON.stringify(stacks));
    else printTable(stacks);
    return 0;
  } catch (error) {
    if (error instanceof StackListError) {
      console.error(`stacks: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
