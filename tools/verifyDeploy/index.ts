// npm run verify-deploy -- <stack> [--outputs <file>] [--wait <minutes>]
// After `pulumi up`: does the ECS service run the task definition revision this update
// registered, with its rollout COMPLETED, every desired task running and, where the task has a
// health check, HEALTHY? Read-only (DescribeServices, ListTasks, DescribeTasks,
// DescribeTaskDefinition). Exit status, as the db tool's: 0 verified, 1 not verified (the
// service's latest events and the command to read its logs are printed), 2 refused (a bad
// argument, outputs that cannot be read or lack a value), 3 an AWS call failed.
import { Command, InvalidArgumentError } from "commander";
import { stackNameProblem } from "../../packages/stack-files/src/stackName";
import { parseArguments } from "../../packages/tool-common/src/cli";
import type { ToolContext } from "../../packages/tool-common/src/toolContext";
import { Verdict, assess, latestEvents, logsCommand } from "./assess";
import { ApiFailure, EcsReader, RetryPolicy } from "./ecs";
import { BadInput, Target, readOutputsFile, readStackOutputs, targetOf } from "./outputs";

/** The launcher's context, and what the tests replace: the clock, the output streams. */
export interface VerifyDeployOptions extends ToolContext {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Seconds between two looks while waiting. @default 15 */
  pollSeconds?: number;
}

interface Settings {
  stack: string;
  outputs?: string;
  waitMinutes: number;
}

const waitMinutesMax = 120;

function wholeMinutes(value: string): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) > waitMinutesMax) throw new InvalidArgumentError(`allowed: whole minutes from 0 to ${waitMinutesMax}`);
  return Number(value);
}

function command(): Command {
  return new Command("verify-deploy")
    .description("Checks that the stack's ECS service runs the task definition revision its last pulumi up registered, rolled out, running and healthy")
    .argument("<stack>", "the stack whose deployment to check")
    .option("--outputs <file>", "read the stack's outputs from this JSON file (pulumi stack output --json) instead of the Pulumi CLI")
    .option("--wait <minutes>", "while the rollout is still in progress, look again every 15 s for up to this long", wholeMinutes, 0)
    .showHelpAfterError();
}

export async function main(argv: string[], options: VerifyDeployOptions): Promise<number> {
  const program = command();
  const parsed = parseArguments(program, argv);
  if (parsed !== undefined) return parsed;
  const io = { out: options.out ?? ((line: string) => console.log(line)), err: options.err ?? ((line: string) => console.error(line)) };
  const chosen = program.opts<{ outputs?: string; wait: number }>();
  const settings: Settings = { stack: program.args[0], outputs: chosen.outputs, waitMinutes: chosen.wait };
  try {
    const target = await readTarget(settings, options.projectRoot);
    return await verify(target, settings.waitMinutes, options, io);
  } catch (error) {
    if (error instanceof BadInput) return refuse(io, error.message, 2);
    if (error instanceof ApiFailure) return refuse(io, error.message, 3);
    if (isAwsError(error)) return refuse(io, `AWS: ${(error as Error).name}: ${(error as Error).message}`, 3);
    throw error;
  }
}

/** An error from the SDK itself (credentials, the network), not a bug here. */
function isAwsError(error: unknown): boolean {
  return error instanceof Error && (/CredentialsProviderError|TokenProviderError|NetworkingError/.test(error.name) || "$metadata" in error);
}

function refuse(io: { err: (line: string) => void }, message: string, status: number): number {
  io.err(`verify-deploy: ${message}`);
  return status;
}

async function readTarget(settings: Settings, projectRoot: string): Promise<Target> {
  const nameProblem = stackNameProblem(settings.stack);
  if (nameProblem) throw new BadInput(nameProblem);
  const outputs = settings.outputs !== undefined ? readOutputsFile(settings.outputs) : await readStackOutputs(settings.stack, projectRoot);
  return targetOf(settings.stack, outputs);
}

/** Looks until the verdict is final or the wait is over; prints the verdict. */
async function verify(target: Target, waitMinutes: number, options: VerifyDeployOptions, io: { out: (l: string) => void; err: (l: string) => void }): Promise<number> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const pollMs = (options.pollSeconds ?? 15) * 1000;
  const retry: RetryPolicy = { attempts: 5, firstDelayMs: 1000, sleep, report: io.err };
  const reader = new EcsReader(target, retry);
  const deadline = now() + waitMinutes * 60_000;
  io.err(`verify-deploy: ${target.stack}: is ${target.serviceName} in ${target.clusterName} running ${target.taskDefinitionArn}?`);
  for (;;) {
    const snapshot = await reader.snapshot();
    const verdict = assess(target, snapshot);
    if (verdict.state === "verified") {
      io.out(verdict.summary);
      return 0;
    }
    if (verdict.state === "pending" && now() + pollMs <= deadline) {
      io.err(`verify-deploy: not yet: ${verdict.reasons[0]}${verdict.reasons.length > 1 ? ` (and ${verdict.reasons.length - 1} more)` : ""}`);
      await sleep(pollMs);
      continue;
    }
    report(target, verdict, waitMinutes, latestEvents(snapshot.service), io.out);
    return 1;
  }
}

function report(target: Target, verdict: Exclude<Verdict, { state: "verified" }>, waitMinutes: number, events: string[], out: (line: string) => void): void {
  const waited = verdict.state === "pending" ? (waitMinutes > 0 ? `, still in progress after ${waitMinutes} minute(s)` : ", still in progress (--wait <minutes> waits for it)") : "";
  out(`${target.stack}: the deployment is not verified${waited}:`);
  for (const reason of verdict.reasons) out(`  - ${reason}`);
  out(`The latest events of ${target.serviceName}:`);
  for (const event of events.length > 0 ? events : ["(none)"]) out(`  ${event}`);
  out(`The containers' logs: ${logsCommand(target)}`);
}
