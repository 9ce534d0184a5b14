// npm run bootstrap-plan -- <nonprod|prod>   the bootstrap's stack offline: its resources and
// its own policy pack's verdict (bootstrap/policies), on the main project's engine stand-ins
// (the mock run, the Analyzer host). A stack that owns the GitHub settings reads the other
// account's role ARNs from that stack's own offline run.
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { BootstrapSettings, parseBootstrapConfig } from "../../bootstrap/config";
import { withStandIns } from "../../bootstrap/standIns";
import { parseArguments } from "../../packages/tool-common/src/cli";
import type { ToolContext } from "../../packages/tool-common/src/toolContext";
import type { Diagnostic } from "../engine/policyPack";
import type { MockRunResult } from "../engine/resource";
import { stackResourceOf } from "../engine/resource";
import { StackFile, StackFileError, readProgramConfig } from "../engine/stackFile";

// The pack is the one beside this file (its JavaScript copy under tools/launch.js); the stack files are the checkout's.
const packDirectory = path.resolve(__dirname, "..", "..", "bootstrap", "policies");
const project = "trading-bot-bootstrap";

/** The bootstrap project's folder in the checkout `projectRoot`. */
export const bootstrapFolderOf = (projectRoot: string) => path.join(projectRoot, "bootstrap");

/** A bootstrap stack's file, with stand-in tokens, and its validated settings. */
function load(bootstrapFolder: string, stack: string): { file: StackFile; settings: BootstrapSettings } {
  const file = withStandIns(readProgramConfig(bootstrapFolder, stack, project));
  return { file, settings: parseBootstrapConfig(stack, file.config) };
}

/**
 * The repository-wide GitHub settings belong to exactly one bootstrap stack: two would fight
 * over the same environments and secrets. Refused (one line) when the stack files say otherwise.
 */
export function githubOwnerProblem(folder: string): string | undefined {
  const stacks = fs.readdirSync(folder).map((entry) => /^Pulumi\.([a-z][a-z0-9-]*)\.yaml$/.exec(entry)?.[1]).filter((stack): stack is string => stack !== undefined).sort();
  const owners = stacks.filter((stack) => `${project}:github` in readProgramConfig(folder, stack, project).config);
  if (owners.length === 1) return undefined;
  return `${owners.length === 0 ? "no bootstrap stack has" : `the bootstrap stacks ${owners.join(", ")} all have`} trading-bot-bootstrap:github; exactly one stack owns the repository's GitHub settings`;
}

/** Runs a bootstrap stack under mocks; the GitHub-owning one after the stack its StackReference names (by its last part). */
export async function runBootstrapStack(bootstrapFolder: string, stack: string): Promise<MockRunResult> {
  const [{ runUnderMocks }, { bootstrapProgram }] = await Promise.all([import("../engine/mockRun"), import("../../bootstrap/program")]);
  const { file, settings } = load(bootstrapFolder, stack);
  const other = settings.github?.otherAccountStack;
  const stackReferences = other ? { [other]: { outputs: (await runBootstrapStack(bootstrapFolder, other.split("/").pop()!)).outputs } } : {};
  return runUnderMocks(file, bootstrapProgram, { project, stackReferences });
}

/** The plan: the resources, then the pack's verdict. */
export async function planBootstrapStack(bootstrapFolder: string, stack: string): Promise<{ run: MockRunResult; diagnostics: Diagnostic[] }> {
  const { PolicyPackProcess, analyzeResources } = await import("../engine/policyPack");
  const pack = PolicyPackProcess.launch(packDirectory);
  try {
    const run = await runBootstrapStack(bootstrapFolder, stack);
    await pack.ready();
    return { run, diagnostics: await analyzeResources(pack, [stackResourceOf(stack, project), ...run.resources]) };
  } finally {
    await pack.stop();
  }
}

function print(stack: string, { run, diagnostics }: { run: MockRunResult; diagnostics: Diagnostic[] }): number {
  console.log(`${project} ${stack}: ${run.resources.length} resources (offline, under Pulumi's mocks)`);
  for (const resource of run.resources) console.log(`  ${resource.type} ${resource.name}`);
  const mandatory = diagnostics.filter((d) => d.level === "mandatory");
  console.log(diagnostics.length === 0 ? "Policies: no violation" : "Policies:");
  for (const d of diagnostics) console.log(`  ${d.level} ${d.policy}: ${d.urn.split("::").pop()}: ${d.message}`);
  console.log(mandatory.length === 0 ? "OK: no mandatory violation" : `FAIL: ${mandatory.length} mandatory violation(s)`);
  return mandatory.length === 0 ? 0 : 1;
}

export async function main(argv: string[], { projectRoot }: ToolContext): Promise<number> {
  const command = new Command("npm run bootstrap-plan --")
    .description("Preview a stack of the bootstrap project (bootstrap/) offline: its resources and its policy pack's verdict.")
    .argument("<stack>", "nonprod or prod: reads bootstrap/Pulumi.<stack>.yaml")
    .addHelpText("after", "\nExit status: 0 no mandatory violation, 1 a mandatory violation, 2 bad config or a bad argument (one line).");
  const stop = parseArguments(command, argv);
  if (stop !== undefined) return stop;
  const stack = command.args[0];
  try {
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(stack)) throw new StackFileError(`"${stack}" is not a bootstrap stack name`);
    const bootstrapFolder = bootstrapFolderOf(projectRoot);
    load(bootstrapFolder, stack);
    const owners = githubOwnerProblem(bootstrapFolder);
    if (owners) throw new StackFileError(owners);
    return print(stack, await planBootstrapStack(bootstrapFolder, stack));
  } catch (error) {
    if (!(error instanceof StackFileError) && (error as Error).name !== "BootstrapConfigError") throw error;
    console.error(`bootstrap-plan: ${(error as Error).message.split("\n")[0]}`);
    return 2;
  }
}
