// Every block of the docs pages that code can produce, and the code that produces it: the
// existing generators (the policy table, the bootstrap's role and scope tables, the stack
// diagrams, the plan's cost estimate, the PR comment's golden example) and the config
// reference (the schema and the stack files), each stack's program run under mocks once.
import * as fs from "node:fs";
import * as path from "node:path";
import { renderScopeTable } from "../../bootstrap/permissions";
import { renderRoleTable } from "../../bootstrap/trust";
import { appMetrics } from "../../stacks/appMetrics";
import { bootstrapFolderOf, runBootstrapStack } from "../bootstrapPlan";
import { stackDiagramsSection, stackShapes } from "../diagrams";
import type { MockRunResult } from "../engine/resource";
import type { CostEstimate } from "../plan/cost";
import { diagramResources } from "../plan/diagram";
import { loadStack } from "../plan/load";
import { costOf, runProgram } from "../plan/run";
import { type StackConfig, configReferenceTable } from "./configReference";
import { renderPolicyTable } from "../policyTable";
import { outputsTable } from "./outputsTable";
import { committedWorkflows, computeRows, renderTrustTable } from "./trustTable";

/** A generated block: the page (relative to the project root) and the marker name it sits between. */
export interface GeneratedBlock {
  page: string;
  block: string;
  text: string;
}

/** The PR comment the plan-summary tests hold to a golden file: the docs show that file. */
export const exampleCommentFile = path.join("test", "fixtures", "plan", "comment-staging-tasks.md");

/** A stack's cost estimate as docs/costs.md shows it (its total row in the words a test quotes), then the estimate's notes. */
export function costTable(stack: string, cost: CostEstimate): string {
  const rows = cost.items.map((item) => `| ${item.what} | ${Number(item.quantity.toFixed(3))} ${item.unit} | ${item.monthlyUsd.toFixed(2)} |`);
  const total = `| **total** | | **${cost.monthlyTotal.toFixed(2)}** (budget ${cost.budget}) |`;
  const notes = cost.notes.length === 0 ? [] : ["", ...cost.notes.map((note) => `- ${note}`)];
  return [`| ${stack} | quantity a month | monthly USD |`, "|---|---|---|", ...rows, total, ...notes].join("\n");
}

export function appMetricsTable(): string {
  const rows = appMetrics.map((m) => `| \`${m.name}\` | ${m.unit} | ${m.meaning} |`);
  return ["| metric | unit | what the app sends |", "|---|---|---|", ...rows].join("\n");
}

/** The trust table: the committed workflows against both bootstrap stacks run under mocks. */
async function trustTable(root: string): Promise<string> {
  const folder = bootstrapFolderOf(root);
  const nonprod: MockRunResult = await runBootstrapStack(folder, "nonprod");
  const prod: MockRunResult = await runBootstrapStack(folder, "prod");
  return renderTrustTable(computeRows(committedWorkflows(root), nonprod, prod));
}

/** One table per committed stack file, each stack's program run under mocks once. */
async function stackBlocks(root: string): Promise<GeneratedBlock[]> {
  const costs: GeneratedBlock[] = [];
  const configs = new Map<string, StackConfig>();
  const shapes = await stackShapes(root, async (stack) => {
    const loaded = loadStack(stack, root, root);
    const run = await runProgram(loaded);
    costs.push({ page: "docs/costs.md", block: `cost-${stack}`, text: costTable(stack, costOf(loaded, run)) });
    configs.set(stack, { stack, config: loaded.file.config });
    return { environment: loaded.settings.environment, resources: diagramResources(run) };
  });
  const reference = configReferenceTable(shapes.map((shape) => configs.get(shape.stack)!));
  return [
    { page: "docs/configuration.md", block: "config-reference", text: reference },
    { page: "docs/ci-and-trust.md", block: "stack-diagrams", text: stackDiagramsSection(shapes) },
    ...costs,
  ];
}

/** Every generated block of the docs, in page order. */
export async function generatedBlocks(root: string): Promise<GeneratedBlock[]> {
  const example = fs.readFileSync(path.join(root, exampleCommentFile), "utf8").replace(/\n$/, "");
  return [
    { page: "docs/configuration.md", block: "app-metrics", text: appMetricsTable() },
    { page: "docs/outputs.md", block: "outputs", text: outputsTable(fs.readFileSync(path.join(root, "stacks", "outputs.ts"), "utf8")) },
    { page: "docs/policies.md", block: "policy-table", text: renderPolicyTable() },
    { page: "docs/ci-and-trust.md", block: "role-table", text: renderRoleTable({ owner: "<owner>", name: "<repo>" }) },
    { page: "docs/ci-and-trust.md", block: "scope-table", text: renderScopeTable() },
    { page: "docs/ci-and-trust.md", block: "trust-table", text: await trustTable(root) },
    { page: "docs/ci-and-trust.md", block: "example-comment", text: example },
    ...(await stackBlocks(root)),
  ];
}
