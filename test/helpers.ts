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
