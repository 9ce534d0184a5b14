// npm run plan -- <stack> [--json <file>]    preview a stack offline
// npm run plan -- <stack> --base <ref>       ... and what a change does to it against a git ref (or --base-json <file>)
// npm run plan -- <stack> --diagram [file]   ... and the stack's Mermaid diagram
// npm run plan -- --compare <stack> <stack>  the environment matrix side by side
// The command line and its exit contract. Everything that can be refused cheaply (the
// arguments, the stack name, the folder, the --json target, the stack file and its config)
// is checked before the policy pack's process starts; that process is stopped on every
// path, signals included (tools/plan/cleanup.ts, tools/engine/policyPack.ts).
import { Command } from "commander";
import { StackConfigError } from "../../stacks/config";
import { parseArguments } from "../../packages/tool-common/src/cli";
import type { ToolContext } from "../../packages/tool-common/src/toolContext";
import { StackFileError } from "../engine/stackFile";
import type { PolicyPackProcess } from "../engine/policyPack";
import { BasePlan, planBaseCommit, readBasePlan, resolveBaseCommit } from "./base";
import { Cleanup } from "./cleanup";
import { compareStacks } from "./compare";
import { PriceTableError } from "./cost";
import { mermaidDiagram } from "./diagram";
import { checkDiagramTarget, renderHint, writeDiagram } from "./diagramFile";
import { diffPlans } from "./diff";
import { PlanDocument, planDocument, planFailures, projectVersion } from "./document";
import { checkJsonTarget, writePlanDocument } from "./jsonFile";
import { checkFolder, checkStackName, loadStack } from "./load";
import { PlanRefused, progressDone } from "./output";
import { printDiff, printPlan } from "./print";
import type { ProjectCode } from "./project";
import { PlanResult, Program, planStack } from "./run";

interface Options {
  json?: string;
  compare?: string[];
  cwd: string;
  base?: string;
  baseJson?: string;
  /** A file, or true: print the diagram instead of the plan. */
  diagram?: string | true;
}

/** The conventional status of a process ended by a signal: 128 + its number. */
const signalExitCodes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

const exitStatuses =
  "Exit status: 0 when no mandatory policy is violated and the cost is within the stack's budget,\n" +
  "1 on a mandatory violation or a budget breach, 2 on bad config, a bad argument or a program\n" +
  "that fails under mocks (one line saying why), 128 + n when stopped by signal n (130 on SIGINT,\n" +
  "143 on SIGTERM), after stopping the policy pack's process.";

/** What the plan is started with: the project, and (tests) a program, or all the code, in place of this checkout's. */
export interface PlanContext extends ToolContext {
  program?: Program;
  /** The program, schema and pack (e.g. their JavaScript copy): this checkout's when not given. */
  code?: ProjectCode;
  /** (Tests) a started pack of `code`, shared by several plans and stopped by its owner: none started for the plan. */
  pack?: PolicyPackProcess;
}

function planCommand(projectRoot: string): Command {
  return new Command("npm run plan --")
    .description("Preview a stack of this project offline: its resources, the policy pack's verdict and its monthly cost.")
    .argument("[stack]", "stack to plan: reads Pulumi.<stack>.yaml")
    .option("--json <file>", "also write the plan as JSON to <file> (a new file, or an earlier plan)")
    .option("--base <ref>", "also show what the change does against the plan of git <ref> (e.g. HEAD^1, origin/main): resources, secrets, policy verdicts, cost")
    .option("--base-json <file>", "the same against an earlier plan (--json)")
    .option("--diagram [file]", "write the stack's Mermaid diagram to <file> (.mmd); without a file, print only the diagram")
    .option("--compare <stacks...>", "show the environment matrix of two stacks side by side")
    .option("-C, --cwd <dir>", "read Pulumi.<stack>.yaml from <dir>, as pulumi --cwd does", projectRoot)
    .addHelpText(
      "after",
      `\n${exitStatuses}\n\n` +
        "Examples:\n  npm run plan -- dev\n  npm run plan -- prod --json plan-prod.json\n  npm run plan -- staging --base origin/main\n" +
        "  npm run plan -- staging --diagram staging.mmd\n  npm run plan -- --compare dev prod",
    );
}

export async function main(argv: string[], context: PlanContext): Promise<number> {
  const command = planCommand(context.projectRoot);
  const stop = parseArguments(command, argv);
  if (stop !== undefined) return stop;
  const cleanup = new Cleanup();
  const stopListening = exitOnSignals(cleanup);
  try {
    return await planOrCompare(command.args[0], command.opts<Options>(), cleanup, context);
  } catch (error) {
    // A signal stopped the pack under the plan's feet: the signal handler reports and exits.
    if (cleanup.started) return new Promise<number>(() => undefined);
    progressDone();
    const lines = refusal(error);
    if (!lines) throw error;
    for (const line of lines) console.error(line);
    return 2;
  } finally {
    await cleanup.run();
    stopListening();
  }
}

async function planOrCompare(stack: string | undefined, options: Options, cleanup: Cleanup, { projectRoot, program, code, pack }: PlanContext): Promise<number> {
  if (options.compare) {
    if (stack) throw new PlanRefused("give either a stack or --compare, not both");
    for (const [option, given] of Object.entries({ "--json": options.json, "--base": options.base, "--base-json": options.baseJson, "--diagram": options.diagram })) {
      if (given !== undefined) throw new PlanRefused(`${option} goes with the plan of one stack, not with --compare`);
    }
    if (options.compare.length !== 2) throw new PlanRefused(`--compare takes two stacks, e.g. --compare dev prod; got ${options.compare.length}`);
    options.compare.forEach(checkStackName);
    checkFolder(options.cwd);
    return compareStacks(options.compare.map((name) => loadStack(name, options.cwd, projectRoot, code)));
  }
  if (!stack) throw new PlanRefused("which stack? e.g. npm run plan -- dev (see --help)");
  checkStackName(stack);
  checkFolder(options.cwd);
  if (options.json !== undefined) checkJsonTarget(options.json);
  if (typeof options.diagram === "string") checkDiagramTarget(options.diagram);
  if (options.base !== undefined && options.baseJson !== undefined) throw new PlanRefused("give either --base or --base-json, not both");
  const earlier = options.baseJson !== undefined ? readBasePlan(options.baseJson, stack) : undefined;
  const commit = options.base !== undefined ? resolveBaseCommit(options.cwd, options.base) : undefined;
  const loaded = loadStack(stack, options.cwd, projectRoot, code);
  const base = earlier ?? (commit ? await planBaseCommit({ directory: options.cwd, ref: options.base!, commit, stack, projectRoot }, cleanup) : undefined);
  const result = await planStack(loaded, cleanup, program, pack);
  progressDone();
  report(result, base, options, projectVersion(projectRoot));
  return planFailures(result.diagnostics, result.cost).length > 0 ? 1 : 0;
}

/** The plan (or, for --diagram without a file, the diagram alone), its diff against the base, and the files asked for. */
function report(result: PlanResult, base: BasePlan | undefined, options: Options, version: string): void {
  const head = planDocument(result, version);
  const diff = base && diffPlans(base.document, head, base.info);
  const document: PlanDocument = diff ? planDocument(result, version, diff) : head;
  const diagram = mermaidDiagram(document.resources, diff);
  // With the diagram on stdout, everything else goes to stderr.
  const say = options.diagram === true ? console.error : console.log;
  if (options.diagram === true) {
    process.stdout.write(diagram);
    console.error(renderHint());
  } else {
    printPlan(result);
    if (diff) printDiff(diff);
  }
  if (options.json !== undefined) {
    writePlanDocument(options.json, document);
    say(`Wrote the plan to ${options.json}`);
  }
  if (typeof options.diagram === "string") {
    writeDiagram(options.diagram, diagram);
    console.log(`Wrote the diagram to ${options.diagram}. ${renderHint(options.diagram)}`);
  }
}

/** The lines of a refusal (exit 2), or undefined for an error that is a bug. */
function refusal(error: unknown): string[] | undefined {
  if (error instanceof StackConfigError) return error.problems;
  if (error instanceof PlanRefused || error instanceof StackFileError || error instanceof PriceTableError) return [`plan: ${error.message}`];
  return undefined;
}

/**
 * On a signal: stop what the plan started, then exit 128 + n. A second signal ends the plan at
 * once. Returns what removes the handlers, once the plan is over (main may run again in one process).
 */
function exitOnSignals(cleanup: Cleanup): () => void {
  const handlers = Object.entries(signalExitCodes).map(([signal, code]) => {
    const handler = () => {
      progressDone();
      console.error(`plan: stopped by ${signal}`);
      void cleanup.run().then(() => process.exit(code));
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.removeListener(signal, handler));
}
