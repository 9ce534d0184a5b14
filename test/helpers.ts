import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { tradingBotProgram } from "../stacks/program";
import { StackSettings, parseStackConfig } from "../stacks/config";
import { runUnderMocks } from "../tools/engine/mockRun";
import type { MockRunResult, RecordedResource } from "../tools/engine/resource";
import { StackFile, parseProgramConfig, readProgramConfig, withPlaceholderSecrets } from "../tools/engine/stackFile";
import type { ContainerDefinition } from "../infra/attachment";
import type { PostgresDatabaseArgs } from "../infra/postgresDatabase";
import type { TradingBotServiceArgs } from "../infra/tradingBotService";

export const repoRoot = path.resolve(__dirname, "..");

/** A PostgresDatabase's arguments for tests of the component alone: Multi-AZ, protected, Performance Insights on. */
export const unitDatabaseArgs: PostgresDatabaseArgs = {
  vpcId: "vpc-1",
  subnetIds: ["subnet-1", "subnet-2"],
  instanceClass: "db.t4g.small",
  engineVersion: "17",
  multiAz: true,
  allocatedStorageGb: 20,
  maxAllocatedStorageGb: 100,
  backupRetentionDays: 7,
  deletionProtection: true,
  performanceInsightsRetentionDays: 7,
  protect: false,
  databaseName: "trading",
  username: "tradingbot",
  finalSnapshotPrefix: "trading-bot-unit-db",
  identifier: "trading-bot-unit-db",
  backupWindow: "04:00-04:30",
  maintenanceWindow: "sun:05:00-sun:05:30",
  logRetentionDays: 30,
};

/** A TradingBotService's arguments for tests of the component alone: one small Fargate task, no attachments. */
export const unitServiceArgs: TradingBotServiceArgs = {
  vpcId: "vpc-1",
  subnetIds: ["subnet-1", "subnet-2"],
  securityGroupIds: ["sg-1"],
  assignPublicIp: false,
  family: "trading-bot-unit",
  image: "trading-bot:1.0.0",
  containerPort: 8080,
  cpu: 256,
  memoryMiB: 512,
  desiredCount: 1,
  deploymentMinimumHealthyPercent: 0,
  deploymentMaximumPercent: 200,
  deployTimeoutMinutes: 10,
  capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
  containerInsights: "disabled",
  logRetentionDays: 7,
  region: "us-east-1",
  environment: { LOG_LEVEL: "INFO" },
  attachments: [],
};

const committedRuns = new Map<string, Promise<MockRunResult>>();

/**
 * Runs the program for a committed stack file, with the secrets a user would have set: once
 * per stack and process (the files do not change during a run), each caller getting its own copy.
 */
export async function runCommittedStack(stack: string): Promise<MockRunResult> {
  if (!committedRuns.has(stack)) committedRuns.set(stack, runUnderMocks(withPlaceholderSecrets(readProgramConfig(repoRoot, stack)), tradingBotProgram));
  return structuredClone(await committedRuns.get(stack)!);
}

/** Runs the program for stack file text written by a test. */
export function runStackText(stack: string, text: string): Promise<MockRunResult> {
  return runUnderMocks(withPlaceholderSecrets(parseProgramConfig(stack, text)), tradingBotProgram);
}

export function runStackFile(file: StackFile): Promise<MockRunResult> {
  return runUnderMocks(withPlaceholderSecrets(file), tradingBotProgram);
}

/** The resources of a type; with `name`, exactly that one. */
export function resourcesOf(result: MockRunResult, type: string): RecordedResource[] {
  return result.resources.filter((r) => r.type === type);
}

export function onlyResource(result: MockRunResult, type: string): RecordedResource {
  const found = resourcesOf(result, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** The task definition the ECS service runs (a stack may also hold one-off tasks, such as the data sync). */
export function serviceTask(result: MockRunResult): RecordedResource {
  const service = onlyResource(result, "aws:ecs/service:Service");
  const task = resourcesOf(result, "aws:ecs/taskDefinition:TaskDefinition").find((t) => t.state.arn === service.inputs.taskDefinition);
  if (!task) throw new Error("no task definition for the service");
  return task;
}

/** The service's containers, parsed from their JSON. */
export function containers(result: MockRunResult): ContainerDefinition[] {
  return JSON.parse(String(serviceTask(result).inputs.containerDefinitions)) as ContainerDefinition[];
}

export function appContainer(result: MockRunResult): ContainerDefinition {
  const app = containers(result).find((c) => c.name === "trading-bot");
  if (!app) throw new Error("no trading-bot container");
  return app;
}

/** The app container's plain environment as a map. */
export function appEnvironment(result: MockRunResult): Record<string, string> {
  return Object.fromEntries((appContainer(result).environment ?? []).map((e) => [e.name, e.value]));
}

/** The validated settings of a committed stack file. */
export function settingsOf(stack: string): StackSettings {
  const file = withPlaceholderSecrets(readProgramConfig(repoRoot, stack));
  return parseStackConfig(stack, file.config, (key) => file.secretKeys.includes(key));
}

export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command `npm run stacks --` runs. */
export function stacksTool(...args: string[]): ToolRun {
  const result = spawnSync(process.execPath, [path.join(repoRoot, "tools", "launch.js"), "stacks", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The environment line of a stack file; the tool reads nothing else of it. */
export const stackText = (environment: string) => `# a stack\nconfig:\n  aws:region: us-east-1\n  trading-bot:environment: ${environment}\n`;

/** What `trading-bot:dataSync` says in a stack file written by a test. */
export interface DataSyncLines {
  export?: boolean;
  import?: boolean;
  readers?: string[];
  sources?: string[];
}

/** A stack file with an environment and `trading-bot:dataSync` (a pinned image, retention 1 day). */
export function dataSyncStackText(environment: string, sync: DataSyncLines): string {
  const list = (names: string[] = []) => `[${names.join(", ")}]`;
  return (
    `${stackText(environment)}  trading-bot:dataSync:\n` +
    `    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot-db@sha256:${"0".repeat(64)}\n` +
    `    export: ${sync.export ?? false}\n    import: ${sync.import ?? false}\n    exportRetentionDays: 1\n` +
    `    readers: ${list(sync.readers)}\n    sources: ${list(sync.sources)}\n`
  );
}

/** A folder of stack files, `{ dev: "development" }` -> Pulumi.dev.yaml with that environment. */
export function stackFilesFolder(stacks: Record<string, string>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-test-"));
  fs.writeFileSync(path.join(folder, "Pulumi.yaml"), "name: trading-bot\nruntime: nodejs\n");
  for (const [stack, environment] of Object.entries(stacks)) fs.writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), stackText(environment));
  return folder;
}

/** A folder of stack files with the given texts, `{ dev: dataSyncStackText(...) }` -> Pulumi.dev.yaml. */
export function stackTextsFolder(texts: Record<string, string>): string {
  const folder = stackFilesFolder({});
  for (const [stack, text] of Object.entries(texts)) fs.writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), text);
  return folder;
}

/** Is the process alive? A zombie (ended, not yet reaped by its new parent) counts as ended. Linux: reads /proc. */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The parent of a process (Linux: reads /proc); throws when it has ended. */
function parentOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/**
 * Under `mocha --parallel`, is `pid` a process another worker of this run started (its test
 * file's pack, or a plan it runs)? Those are that file's to check, not strays of this one.
 */
function startedByAnotherWorker(pid: number): boolean {
  if (process.env.MOCHA_WORKER_ID === undefined) return false;
  for (let ancestor = parentOf(pid); ancestor > 1; ancestor = parentOf(ancestor)) {
    if (ancestor === process.pid) return false;
    if (parentOf(ancestor) === process.ppid) return true;
  }
  return false;
}

/**
 * Policy-pack processes of this checkout that are alive and not this test process's own
 * (a test file's pack is its child): what a plan that failed to clean up leaves behind.
 */
export function strayPolicyPacks(): number[] {
  return fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try {
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!command.includes("run-policy-pack") || !isRunning(pid)) return false;
      if (parentOf(pid) === process.pid || !fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(repoRoot)) return false;
      return !startedByAnotherWorker(pid);
    } catch {
      return false; // ended while read
    }
  });
}

/**
 * Runs a tool's `main` in this process with its output captured: for tests about what a tool
 * decides, where starting a process would only cost time (exit codes, signals and locks are
 * tested on real processes elsewhere).
 */
export async function inProcess(run: () => Promise<number>): Promise<ToolRun> {
  const output = { stdout: "", stderr: "" };
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (stream: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array) => {
      output[stream] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof process.stdout.write;
  // What a tool writes here goes to a string, not a terminal: no colours, no progress redrawn in place.
  const terminal = { stdout: process.stdout.isTTY, stderr: process.stderr.isTTY };
  process.stdout.write = capture("stdout");
  process.stderr.write = capture("stderr");
  process.stdout.isTTY = process.stderr.isTTY = false;
  try {
    const status = await run();
    return { status, ...output };
  } finally {
    process.stdout.write = original.stdout;
    process.stderr.write = original.stderr;
    process.stdout.isTTY = terminal.stdout;
    process.stderr.isTTY = terminal.stderr;
  }
}

