// Running a loaded stack: the program under Pulumi's mocks, the policy pack over the
// Analyzer protocol, the price. The SDKs and the gRPC client load on demand (dynamic
// imports), so the pack's process starts first and warms up while this one loads them.
import { defaultProductionNames, isProductionName } from "../../packages/stack-files/src/production";
import type { AnalyzerInfo, Diagnostic, PolicyPackProcess } from "../engine/policyPack";
import type { MockRunResult } from "../engine/resource";
import { stackResourceOf } from "../engine/resource";
import { Cleanup } from "./cleanup";
import { CostEstimate, estimateCost } from "./cost";
import { LoadedStack } from "./load";
import { PlanRefused, progress } from "./output";
import type { Program } from "./project";

export type { Program } from "./project";

export interface PlanResult {
  loaded: LoadedStack;
  run: MockRunResult;
  diagnostics: Diagnostic[];
  cost: CostEstimate;
  pack: { name: string; version: string };
}

/**
 * Plans a stack with its code's program and pack (`program` replaces the program: a test's
 * way to make it fail). The pack's process ends once it has answered, and `cleanup` stops it
 * whatever happens before. A `sharedPack` (tests: one pack for several plans) is its owner's
 * to stop; it must be the pack of `loaded.code`.
 */
export async function planStack(loaded: LoadedStack, cleanup: Cleanup, program?: Program, sharedPack?: PolicyPackProcess): Promise<PlanResult> {
  const { PolicyPackProcess, analyzeResources } = await import("../engine/policyPack");
  const pack = sharedPack ?? PolicyPackProcess.launch(loaded.code.packDirectory);
  if (!sharedPack) cleanup.defer(() => pack.stop());
  progress(`starting the policy pack (pid ${pack.pid})`);
  const run = await runProgram(loaded, program);
  await pack.ready();
  const info = await pack.info();
  await judgeAsProduction(pack, info, loaded);
  progress(`checking ${run.resources.length} resources against the policy pack`);
  const diagnostics = await analyzeResources(pack, [stackResourceOf(run.stack), ...run.resources]);
  // Done with it: it ends now, and cleanup waits for its exit (a plan against a base starts a second pack).
  if (!sharedPack) void pack.stop();
  progress("pricing");
  return { loaded, run, diagnostics, cost: costOf(loaded, run), pack: { name: info.name, version: info.version } };
}

/**
 * A stack that is production by its file but not by its name is planned as production: every
 * policy gets it as a production stack, as `npm run policy-config -- <stack>` does for
 * `pulumi preview`, each at its own enforcement level.
 */
async function judgeAsProduction(pack: PolicyPackProcess, info: AnalyzerInfo, loaded: LoadedStack): Promise<void> {
  const { stack } = loaded.file;
  if (loaded.productionReason === undefined || isProductionName(stack)) return;
  progress(`planning ${stack} as production: ${loaded.productionReason}`);
  const productionStacks = [...defaultProductionNames, stack];
  await pack.configure(Object.fromEntries(info.policies.map((policy) => [policy.name, { enforcementLevel: policy.level, productionStacks }])));
}

/**
 * Runs the program under mocks, with the stand-in outputs of the stacks it reads. A program
 * that throws is refused with its message (exit 2); a bug (a TypeError and the like) keeps
 * its stack trace.
 */
export async function runProgram(loaded: LoadedStack, program?: Program): Promise<MockRunResult> {
  progress(`running the program for ${loaded.file.stack} under mocks`);
  const [{ runUnderMocks }, ownProgram] = await Promise.all([import("../engine/mockRun"), program ? undefined : loaded.code.loadProgram()]);
  const stackReferences = Object.fromEntries(loaded.standInStackOutputs.map(({ stack, outputs }) => [stack, { outputs }]));
  // Pulumi's runtime leaves rejected promises behind when a program throws: they repeat
  // the run's own error, and must not end the process before the pack is stopped.
  const stray: unknown[] = [];
  const onStray = (reason: unknown) => stray.push(reason);
  process.on("unhandledRejection", onStray);
  let run: MockRunResult;
  try {
    run = await runUnderMocks(loaded.file, program ?? ownProgram!, { stackReferences });
  } catch (error) {
    throw programFailure(loaded.file.stack, error);
  }
  process.removeListener("unhandledRejection", onStray);
  if (stray.length > 0) throw programFailure(loaded.file.stack, stray[0]);
  return run;
}

const bugs = [TypeError, ReferenceError, RangeError, SyntaxError];

function programFailure(stack: string, error: unknown): unknown {
  if (!(error instanceof Error) || bugs.some((kind) => error instanceof kind)) return error;
  return new PlanRefused(`the program failed for ${stack} under mocks: ${error.message.split("\n")[0]}`);
}

export function costOf(loaded: LoadedStack, run: MockRunResult): CostEstimate {
  return estimateCost(run.resources, loaded.priceTable, loaded.settings.budget.monthlyUsd, loaded.settings.budget.assumptions);
}
