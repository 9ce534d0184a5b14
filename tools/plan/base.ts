// The plan of the base a change is compared with: `--base-json <file>` (an earlier plan), or
// `--base <ref>`: a git worktree of that commit in a temporary folder, whose program, config
// schema and policy pack are transpiled once per commit tree into node_modules/.cache (so
// that they load this checkout's node_modules), planned like the working tree.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Cleanup } from "./cleanup";
import type { BaseInfo } from "./diff";
import { PlanDocument, planDocument, planDocumentSchema, projectVersion } from "./document";
import { loadStack } from "./load";
import { PlanRefused, progress } from "./output";
import { ProjectCode, installedLockFile, nodeModulesFolder } from "./project";
import { planStack } from "./run";
import { fileFingerprint } from "./secrets";

/** The base's plan (none when the base has no such stack) and where it came from. */
export interface BasePlan {
  document: PlanDocument | undefined;
  info: BaseInfo;
}

/** The largest earlier plan read (prod's is about 150 KiB). */
const basePlanMaxBytes = 16 * 1024 * 1024;

/** Reads an earlier plan of `stack`; refuses a file that is not one, or the plan of another stack. */
export function readBasePlan(file: string, stack: string): BasePlan {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new PlanRefused(`--base-json ${file}: no such file`);
  if (!stat.isFile()) throw new PlanRefused(`--base-json ${file}: not a file`);
  if (stat.size > basePlanMaxBytes) throw new PlanRefused(`--base-json ${file}: ${stat.size} bytes; an earlier plan holds at most ${basePlanMaxBytes}`);
  let parsed: ReturnType<typeof planDocumentSchema.safeParse>;
  try {
    parsed = planDocumentSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  } catch {
    throw new PlanRefused(`--base-json ${file}: not JSON; give a file written by npm run plan -- <stack> --json`);
  }
  if (!parsed.success) throw new PlanRefused(`--base-json ${file}: not a plan document (${parsed.error.issues[0].path.join(".") || "the top"}: ${parsed.error.issues[0].message})`);
  if (parsed.data.stack !== stack) throw new PlanRefused(`--base-json ${file} is the plan of ${parsed.data.stack}, not of ${stack}`);
  const notes = parsed.data.packageLock !== undefined && parsed.data.packageLock !== fileFingerprint(installedLockFile())
    ? ["the base plan was made with another package-lock.json than this plan"]
    : [];
  return { document: parsed.data, info: { source: `file ${path.basename(file)}`, notes } };
}

/** Git, in `directory`; a failure is a refusal naming the command, with git's first line. */
function git(directory: string, args: string[]): string {
  try {
    return execFileSync("git", ["-C", directory, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    const said = String((error as { stderr?: string }).stderr ?? "").split("\n")[0] || (error as Error).message;
    throw new PlanRefused(`--base: git ${args.join(" ")} failed in ${directory}: ${said}`);
  }
}

/** The commit `ref` names in the checkout at `directory`; refused before any work when there is none. */
export function resolveBaseCommit(directory: string, ref: string): string {
  if (ref.trim() === "" || ref.startsWith("-")) throw new PlanRefused(`--base ${JSON.stringify(ref)}: give a git ref such as main, origin/main or HEAD^1`);
  try {
    return execFileSync("git", ["-C", directory, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    throw new PlanRefused(`--base ${ref}: no such commit in ${directory} (a shallow clone needs the base fetched, e.g. fetch-depth: 2 for HEAD^1)`);
  }
}

/** Which stack to plan as of which commit of which checkout; the plan's own project (its data/, its version). */
export interface BaseCommit {
  /** The folder of the stack files (-C): the project, or a folder of its checkout. */
  directory: string;
  /** The ref as given, and the commit it names. */
  ref: string;
  commit: string;
  stack: string;
  projectRoot: string;
}

/**
 * Plans `stack` as of `commit`: the checkout of `directory` is checked out at that commit in a
 * temporary worktree, removed by `cleanup`, and planned with its own code and this project's prices.
 */
export async function planBaseCommit({ directory, ref, commit, stack, projectRoot }: BaseCommit, cleanup: Cleanup): Promise<BasePlan> {
  const source = `git ${ref} (${commit.slice(0, 7)})`;
  const prefix = git(directory, ["rev-parse", "--show-prefix"]);
  if (!hasFile(directory, commit, `${prefix}Pulumi.${stack}.yaml`)) {
    return { document: undefined, info: { source, notes: [`Pulumi.${stack}.yaml does not exist at ${ref}: every resource is new`] } };
  }
  progress(`checking out ${source} in a temporary worktree`);
  const worktree = addWorktree(directory, commit, cleanup);
  const project = path.join(worktree, prefix);
  const code = transpiledCode(project, git(directory, ["rev-parse", `${commit}:${prefix}`.replace(/\/?$/, "")]));
  const result = await planStack(loadStack(stack, project, projectRoot, code), cleanup);
  return { document: planDocument(result, projectVersion(projectRoot)), info: { source, notes: baseNotes(project, path.dirname(installedLockFile()), projectRoot) } };
}

function hasFile(directory: string, commit: string, file: string): boolean {
  try {
    execFileSync("git", ["-C", directory, "cat-file", "-e", `${commit}:${file}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A detached worktree of `commit` in a new temporary folder; `cleanup` removes it and prunes git's record of it. */
function addWorktree(directory: string, commit: string, cleanup: Cleanup): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "trading-bot-base-"));
  const worktree = path.join(folder, "checkout");
  cleanup.defer(() => {
    fs.rmSync(folder, { recursive: true, force: true });
    try {
      execFileSync("git", ["-C", directory, "worktree", "prune"], { stdio: "ignore" });
    } catch {
      // git's record of a removed worktree is pruned by the next `git worktree prune` anyway.
    }
  });
  git(directory, ["worktree", "add", "--detach", "--quiet", worktree, commit]);
  return worktree;
}

/** What the base's plan differs in besides its code: the dependencies (`installed`: the lock file's folder) and prices it ran with are this checkout's. */
function baseNotes(base: string, installed: string, projectRoot: string): string[] {
  const differs = (file: string, current: string) => fileFingerprint(path.join(base, file)) !== fileFingerprint(path.join(current, file));
  return [
    ...(differs("package-lock.json", installed) ? ["the base's package-lock.json differs from this checkout's: the base was planned with this checkout's node_modules"] : []),
    ...(differs(path.join("data", "aws-prices-us-east-1.json"), projectRoot) ? ["the base's price table differs from this checkout's: both sides are priced with this checkout's"] : []),
  ];
}

/**
 * Folders of the program and the pack (packages/stack-files/src: the production rule and the
 * stack-file reader both import; a base from before it moved there has none), and the files
 * the pack needs besides its sources.
 */
const codeFolders = ["infra", "stacks", "policies", "packages/stack-files/src"];
const packFiles = ["policies/package.json", "policies/PulumiPolicy.yaml"];

/**
 * The program, config schema and pack of `project` (the base's), transpiled to JavaScript
 * under this checkout's node_modules (so that they load its packages, the same Pulumi runtime
 * as the plan's), once per `key` (the git tree, or sourcesKey): a second plan reuses the copy.
 */
export function transpiledCode(project: string, tree: string): ProjectCode {
  for (const folder of ["stacks", "policies"]) {
    if (!fs.existsSync(path.join(project, folder))) throw new PlanRefused(`--base: the base has no ${folder}/ in ${project}; plan from the project's folder`);
  }
  const target = path.join(nodeModulesFolder(), ".cache", "trading-bot-tools", `base-${tree.slice(0, 16)}`);
  if (!fs.existsSync(target)) writeTranspiled(project, target);
  const load = <T>(module: string) => require(path.join(target, module)) as T;
  return {
    parseStackConfig: load<Pick<ProjectCode, "parseStackConfig">>("stacks/config.js").parseStackConfig,
    loadProgram: async () => load<{ tradingBotProgram: () => unknown }>("stacks/program.js").tradingBotProgram,
    packDirectory: path.join(target, "policies"),
  };
}

function writeTranspiled(project: string, target: string): void {
  progress("transpiling the base's program and policy pack");
  const ts = require("typescript") as typeof import("typescript");
  const staging = `${target}.${process.pid}.tmp`;
  for (const file of codeSources(project)) {
    const { outputText } = ts.transpileModule(fs.readFileSync(path.join(project, file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    fs.mkdirSync(path.join(staging, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(staging, file.replace(/\.ts$/, ".js")), outputText);
  }
  for (const file of packFiles) fs.copyFileSync(path.join(project, file), path.join(staging, file));
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    // Another plan made the same copy first.
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw error;
  }
}

/** A key for transpiledCode of a folder that is no commit: a hash of every source it copies. */
export function sourcesKey(project: string): string {
  const hash = createHash("sha256");
  for (const file of [...codeSources(project).sort(), ...packFiles]) {
    hash.update(file).update("\u0000").update(fs.readFileSync(path.join(project, file))).update("\u0000");
  }
  return hash.digest("hex");
}

/** The TypeScript files of the code folders `project` has. */
function codeSources(project: string): string[] {
  return codeFolders.filter((folder) => fs.existsSync(path.join(project, folder))).flatMap((folder) => listSources(project, folder));
}

function listSources(root: string, folder: string): string[] {
  return fs.readdirSync(path.join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : listSources(root, relative);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [relative] : [];
  });
}
