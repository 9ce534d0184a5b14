// What the tests of the plan's diff, comment, diagram and dashboard share: one program run
// under mocks per stack variant, made once per process and only read afterwards.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Diagnostic } from "../tools/engine/policyPack";
import type { MockRunResult } from "../tools/engine/resource";
import { sourcesKey, transpiledCode } from "../tools/plan/base";
import { PlanDocument, planDocument, projectVersion } from "../tools/plan/document";
import type { ProjectCode } from "../tools/plan/project";
import { loadStack } from "../tools/plan/load";
import { costOf } from "../tools/plan/run";
import { repoRoot, runCommittedStack, runStackText } from "./helpers";

const runs = new Map<string, Promise<MockRunResult>>();

/** The run of a committed stack file, shared by every test that only reads it (no copy). */
export function committedRun(stack: string): Promise<MockRunResult> {
  if (!runs.has(stack)) runs.set(stack, runCommittedStack(stack));
  return runs.get(stack)!;
}

/** The run of a variant of a stack file, shared under its `name`. */
export function variantRun(name: string, stack: string, text: string): Promise<MockRunResult> {
  const key = `${stack}:${name}`;
  if (!runs.has(key)) runs.set(key, runStackText(stack, text));
  return runs.get(key)!;
}

export const committedText = (stack: string) => fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8");

/** The committed text with `from` replaced by `to` once; throws when `from` is not there exactly once. */
export function edited(text: string, ...replacements: [from: string, to: string][]): string {
  let result = text;
  for (const [from, to] of replacements) {
    const count = result.split(from).length - 1;
    if (count !== 1) throw new Error(`expected ${JSON.stringify(from)} once in the stack file, found it ${count} times`);
    result = result.replace(from, to);
  }
  return result;
}

const folders = new Map<string, string>();

/** A folder holding `Pulumi.<stack>.yaml` with `text` (for loadStack and -C), one per text. */
export function stackFolderOf(stack: string, text: string): string {
  const key = `${stack}\u0000${text}`;
  if (!folders.has(key)) {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-test-"));
    fs.writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), text);
    folders.set(key, folder);
  }
  return folders.get(key)!;
}

/**
 * The plan document of a stack file's text, from `run` (the program's run for it, shared) and
 * `violations` (the pack's verdicts, from a pack run elsewhere, or none), priced as the plan does.
 */
export function documentOf(stack: string, text: string, run: MockRunResult, violations: Diagnostic[] = []): PlanDocument {
  const loaded = quietly(() => loadStack(stack, stackFolderOf(stack, text), repoRoot));
  return planDocument({ loaded, run, diagnostics: violations, cost: costOf(loaded, run), pack: { name: "trading-bot-policies", version: "0.1.0" } }, projectVersion(repoRoot));
}

/** Runs `work` without the plan's progress lines on stderr (they are for a person at a terminal). */
export function quietly<T>(work: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return work();
  } finally {
    process.stderr.write = write;
  }
}

let checkoutCopy: ProjectCode | undefined;

/**
 * This checkout's program, schema and pack as JavaScript (what tools/launch.js runs): its pack
 * starts in about a quarter of the time of the TypeScript one, which type-checks first.
 */
export function javaScriptCheckout(): ProjectCode {
  checkoutCopy ??= quietly(() => transpiledCode(repoRoot, sourcesKey(repoRoot)));
  return checkoutCopy;
}

const staging = committedText("staging");

/** Changes of Pulumi.staging.yaml the diff, comment and diagram tests share (one run each, by name). */
export const stagingVariants = {
  /** A bigger task: 0.5 vCPU and 1 GB more for each of the two tasks (over the budget). */
  cpu: edited(staging, ["    cpu: 512\n    memoryMiB: 1024\n", "    cpu: 1024\n    memoryMiB: 2048\n"]),
  /** A new database name: RDS cannot rename in place. */
  databaseName: edited(staging, ["    databaseName: trading\n", "    databaseName: trades\n"]),
  /** A third alert rule. */
  newAlarm: edited(staging, [
    "  # The db tool as a one-off Fargate task",
    [
      "      - name: HighMemoryUsage",
      "        severity: warning",
      "        description: Staging tasks have used more than 90 % of their memory for 10 minutes",
      "        metric: { namespace: AWS/ECS, name: MemoryUtilization, statistic: Average, dimensions: service }",
      "        comparison: GreaterThanThreshold",
      "        threshold: 90",
      "        periodSeconds: 60",
      "        evaluationPeriods: 10",
      "        treatMissingData: missing",
      "  # The db tool as a one-off Fargate task",
    ].join("\n"),
  ]),
  /** Staging stops exporting: its exports bucket goes. */
  noExport: edited(staging, ["    export: true\n", "    export: false\n"], ["    readers: [ dev ]\n", ""]),
  /** One value: a third task (the example comment of docs/ci-and-trust.md). */
  threeTasks: edited(staging, ["    desiredCount: 2\n", "    desiredCount: 3\n"]),
};

/** Dev without its dashboard. */
export const devWithoutDashboard = edited(committedText("dev"), ["trading-bot:dashboard:\n    enabled: true", "trading-bot:dashboard:\n    enabled: false"]);
