import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { tradingBotProgram } from "../stacks/program";
import { StackSettings, parseStackConfig } from "../stacks/config";
import { runUnderMocks } from "../tools/engine/mockRun";
import type { MockRunResult, RecordedResource } from "../tools/engine/resource";
import { StackFile, parseStackFile, readStackFile, withPlaceholderSecrets } from "../tools/engine/stackFile";
import type { ContainerDefinition } from "../infra/attachment";

export const repoRoot = path.resolve(__dirname, "..");

/** Runs the program for a committed stack file, with the secrets a user would have set. */
export function runCommittedStack(stack: string): Promise<MockRunResult> {
  return runUnderMocks(withPlaceholderSecrets(readStackFile(repoRoot, stack)), tradingBotProgram);
}

/** Runs the program for stack file text written by a test. */
export function runStackText(stack: string, text: string): Promise<MockRunResult> {
  return runUnderMocks(withPlaceholderSecrets(parseStackFile(stack, text)), tradingBotProgram);
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

/** The task definition's containers, parsed from their JSON. */
export function containers(result: MockRunResult): ContainerDefinition[] {
  const taskDefinition = onlyResource(result, "aws:ecs/taskDefinition:TaskDefinition");
  return JSON.parse(String(taskDefinition.inputs.containerDefinitions)) as ContainerDefinition[];
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
  const file = withPlaceholderSecrets(readStackFile(repoRoot, stack));
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

/** A folder of stack files, `{ dev: "development" }` -> Pulumi.dev.yaml with that environment. */
export function stackFilesFolder(stacks: Record<string, string>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-test-"));
  fs.writeFileSync(path.join(folder, "Pulumi.yaml"), "name: trading-bot\nruntime: nodejs\n");
  for (const [stack, environment] of Object.entries(stacks)) fs.writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), stackText(environment));
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

/**
 * Policy-pack processes of this checkout that are alive and not this test process's own
 * (a test file's pack is its child): what a plan that failed to clean up leaves behind.
 */
export function strayPolicyPacks(): number[] {
  return fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try {
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!command.includes("run-policy-pack") || !isRunning(pid)) return false;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      return parent !== process.pid && fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(repoRoot);
    } catch {
      return false; // ended while read
    }
  });
}
