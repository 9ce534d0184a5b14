// npm run plan -- <stack> [--json <file>]    preview a stack offline
// npm run plan -- --compare <stack> <stack>  the environment matrix side by side
// The command line and its exit contract. Everything that can be refused cheaply (the
// arguments, the stack name, the folder, the --json target, the stack file and its config)
// is checked before the policy pack's process starts; that process is stopped on every
// path, signals included (tools/plan/cleanup.ts, tools/engine/policyPack.ts).
import { Command } from "commander";
import { StackConfigError } from "../../stacks/config";
import { parseArguments } from "../common/cli";
import type { ToolContext } from "../common/toolContext";
import { StackFileError } from "../engine/stackFile";
import { Cleanup } from "./cleanup";
import { compareStacks } from "./compare";
import { PriceTableError } from "./cost";
import { planDocument, planFailures, projectVersion } from "./document";
import { checkJsonTarget, writePlanDocument } from "./jsonFile";
import { checkFolder, checkStackName, loadStack } from "./load";
import { PlanRefused, progressDone } from "./output";
import { printPlan } from "./print";
import { Program, planStack } from "./run";

interface Options {
  json?: string;
  compare?: string[];
  cwd: string;
}

/** The conventional status of a process ended by a signal: 128 + its number. */
const signalExitCodes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

const exitStatuses =
  "Exit status: 0 when no mandatory policy is violated and the cost is within the stack's budget,\n" +
  "1 on a mandatory violation or a budget breach, 2 on bad config, a bad argument or a program\n" +
  "that fails under mocks (one line saying why), 128 + n when stopped by signal n (130 on SIGINT,\n" +
  "143 on SIGTERM), after stopping the policy pack's process.";

/** What the plan is started with: the project, and (tests) a program that replaces this project's. */
export interface PlanContext extends ToolContext {
  program?: Program;
}

function planCommand(projectRoot: string): Command {
  return new Command("npm run plan --")
    .description("Preview a stack of this project offline: its resources, the policy pack's verdict and its monthly cost.")
    .argument("[stack]", "stack to plan: reads Pulumi.<stack>.yaml")
    .option("--json <file>", "also write the plan as JSON to <file> (a new file, or an earlier plan)")
    .option("--compare <stacks...>", "show the environment matrix of two stacks side by side")
    .option("-C, --cwd <dir>", "read Pulumi.<stack>.yaml from <dir>, as pulumi --cwd does", projectRoot)
    .addHelpText(
      "after",
      `\n${exitStatuses}\n\n` +
        "Examples:\n  npm run plan -- dev\n  npm run plan -- prod --json plan-prod.json\n  npm run plan -- --compare dev prod",
    );
}

export async function main(argv: string[], context: PlanContext): Promise<number> {
  const command = planCommand(context.projectRoot);
  const stop = parseArguments(command, argv);
  if (stop !== undefined) return stop;
  const cleanup = new Cleanup();
  exitOnSignals(cleanup);
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
  }
}

async function planOrCompare(stack: string | undefined, options: Options, cleanup: Cleanup, { projectRoot, program }: PlanContext): Promise<number> {
  if (options.compare) {
    if (stack) throw new PlanRefused("give either a stack or --compare, not both");
    if (options.json !== undefined) throw new PlanRefused("--json writes the plan of one stack; it does not go with --compare");
    if (options.compare.length !== 2) throw new PlanRefused(`--compare takes two stacks, e.g. --compare dev prod; got ${options.compare.length}`);
    options.compare.forEach(checkStackName);
    checkFolder(options.cwd);
    return compareStacks(options.compare.map((name) => loadStack(name, options.cwd, projectRoot)));
  }
  if (!stack) throw new PlanRefused("which stack? e.g. npm run plan -- dev (see --help)");
  checkStackName(stack);
  checkFolder(options.cwd);
  if (options.json !== undefined) checkJsonTarget(options.json);
  const result = await planStack(loadStack(stack, options.cwd, projectRoot), cleanup, program);
  progressDone();
  printPlan(result);
  if (options.json !== undefined) {
    writePlanDocument(options.json, planDocument(result, projectVersion(projectRoot)));
    console.log(`Wrote the plan to ${options.json}`);
  }
  return planFailures(result.diagnostics, result.cost).length > 0 ? 1 : 0;
}

/** The lines of a refusal (exit 2), or undefined for an error that is a bug. */
function refusal(error: unknown): string[] | undefined {
  if (error instanceof StackConfigError) return error.problems;
  if (error instanceof PlanRefused || error instanceof StackFileError || error instanceof PriceTableError) return [`plan: ${error.message}`];
  return undefined;
}

/** On a signal: stop what the plan started, then exit 128 + n. A second signal ends the plan at once. */
function exitOnSignals(cleanup: Cleanup): void {
  for (const [signal, code] of Object.entries(signalExitCodes)) {
    process.once(signal, () => {
      progressDone();
      console.error(`plan: stopped by ${signal}`);
      void cleanup.run().then(() => process.exit(code));
    });
  }
}
