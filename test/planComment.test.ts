// The pull-request comment (tools/plan/summary.ts) and the Mermaid diagrams (tools/plan/
// diagram.ts, npm run diagrams): golden Markdown from real plans (the program under mocks,
// the policy pack's real verdicts), checked by mermaid's own parser.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { blockText } from "../tools/docs/blocks";
import { PolicyPackProcess, analyzeResources } from "../tools/engine/policyPack";
import type { MockRunResult } from "../tools/engine/resource";
import { stackResourceOf } from "../tools/engine/resource";
import { stackDiagramsSection } from "../tools/diagrams";
import { diagramResources, mermaidDiagram } from "../tools/plan/diagram";
import { diffPlans } from "../tools/plan/diff";
import { PlanDocument } from "../tools/plan/document";
import { renderPlanSummary, main as summaryMain } from "../tools/plan/summary";
import { repoRoot, settingsOf } from "./helpers";
import { committedRun, committedText, devWithoutDashboard, documentOf, javaScriptCheckout, stagingVariants, variantRun } from "./planSupport";

const { parseMermaid } = require("./mermaidParser.mjs") as { parseMermaid(text: string): Promise<string> };

const golden = (name: string) => path.join(repoRoot, "test", "fixtures", "plan", name);

/** Compares with a golden file; UPDATE_GOLDEN=1 writes it instead (then review the diff). */
function assertGolden(name: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(golden(name), actual);
  assert.equal(actual, fs.readFileSync(golden(name), "utf8"), `${name} differs from the golden file (UPDATE_GOLDEN=1 rewrites it)`);
}

/** A plan document in a file of its own, as the workflow hands them to plan-summary. */
function written(document: PlanDocument): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-comment-")), `plan-${document.stack}.json`);
  fs.writeFileSync(file, JSON.stringify(document));
  return file;
}

/** The change of the example: one value of Pulumi.staging.yaml, a third task. */
const stagingTasks = stagingVariants.threeTasks;
const base = { source: "git HEAD^1 (1a2b3c4)", notes: [] };

describe("the pull-request comment (npm run plan-summary)", () => {
  let files: string[];
  let pack: PolicyPackProcess;
  before(async () => {
    pack = await PolicyPackProcess.start(javaScriptCheckout().packDirectory);
    const verdicts = async (run: MockRunResult) => analyzeResources(pack, [stackResourceOf(run.stack), ...run.resources]);
    const document = async (stack: string, text: string, run: MockRunResult) => documentOf(stack, text, run, await verdicts(run));
    const plans: PlanDocument[] = [];
    for (const stack of ["dev", "staging", "prod"]) {
      const was = await document(stack, committedText(stack), await committedRun(stack));
      const is = stack === "staging" ? await document(stack, stagingTasks, await variantRun("threeTasks", stack, stagingTasks)) : was;
      plans.push({ ...is, diff: diffPlans(was, is, base) });
    }
    files = plans.map(written);
  });
  after(() => pack?.stop());

  it("a change of one value of Pulumi.staging.yaml: staging's diff, cost and diagram; dev and prod on one line (golden)", () => {
    assertGolden("comment-staging-tasks.md", `${renderPlanSummary(files)}\n`);
  });

  it("holds a diagram mermaid parses", async () => {
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(renderPlanSummary(files))![1];
    assert.equal(await parseMermaid(diagram), "flowchart-v2");
  });

  it("is shown in docs/ci-and-trust.md as the example comment", () => {
    const example = blockText(fs.readFileSync(path.join(repoRoot, "docs", "ci-and-trust.md"), "utf8"), "example-comment");
    assert.equal(`${example}\n`, fs.readFileSync(golden("comment-staging-tasks.md"), "utf8"));
  });

  it("is cut at a block's end to fit a limit, saying where the whole text is", () => {
    const whole = renderPlanSummary(files);
    for (const limit of [1200, 2500, whole.length - 1]) {
      const cut = renderPlanSummary(files, limit);
      assert.ok([...cut].length <= limit, `${[...cut].length} characters over ${limit}`);
      assert.match(cut, /\n\n> ✂️ Cut to fit GitHub's comment limit \([\d,]+ characters here\): the whole text is in this workflow run's job summary\.$/);
      assert.equal(cut.split("<details>").length, cut.split("</details>").length, "every detail closed");
      assert.equal(cut.split("```").length % 2, 1, "every code fence closed");
      assert.ok(cut.startsWith("### Offline plan: what this change does to each stack\n\n| stack |"), "the table stays");
    }
    // The first thing to give way is a diagram or a detail, not the staging diff.
    assert.match(renderPlanSummary(files, whole.length - 1), /\(staging's diagram: in the job summary\)/);
    assert.equal(renderPlanSummary(files, whole.length), whole);
  });
});

describe("npm run plan-summary's command line", () => {
  /** Runs its main in this process, with stdout and stderr captured. */
  async function summary(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    const [out, err] = [[] as string[], [] as string[]];
    const [stdout, stderr] = [process.stdout.write, process.stderr.write];
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      return { status: await summaryMain(argv), stdout: out.join(""), stderr: err.join("") };
    } finally {
      [process.stdout.write, process.stderr.write] = [stdout, stderr];
    }
  }

  it("refuses a limit under 1000 characters, or not a number (exit 2, one line)", async () => {
    for (const limit of ["999", "-1", "lots"]) {
      assert.deepEqual(await summary("--limit", limit, "plan-dev.json"), {
        status: 2,
        stdout: "",
        stderr: `plan-summary: --limit ${limit}: give a number of characters, 1000 or more, or 0 for no limit\n`,
      });
    }
  });

  it("needs at least one plan file (exit 2)", async () => {
    const run = await summary();
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^error: missing required argument 'plans'$/m);
  });

  it("says, for a plan file that is missing, why there is no plan", async () => {
    const run = await summary("--limit", "0", "/nonexistent/plan-dev.json");
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^\| plan-dev\.json \| \| \| \| \| no plan: see the job log \|$/m);
  });
});

describe("the stacks' Mermaid diagrams (tools/plan/diagram.ts)", () => {
  const runs: Record<string, MockRunResult> = {};
  before(async () => {
    for (const stack of ["dev", "staging", "prod"]) runs[stack] = await committedRun(stack);
  });

  it("mermaid's parser accepts each stack's diagram", async () => {
    for (const stack of ["dev", "staging", "prod"]) assert.equal(await parseMermaid(mermaidDiagram(diagramResources(runs[stack]))), "flowchart-v2", stack);
  });

  it("draws a box per resource at the top of the stack and an arrow to what it uses", () => {
    const diagram = mermaidDiagram(diagramResources(runs.dev));
    const boxes = [...diagram.matchAll(/^ {2}(r\d+)\["(\w+)<br\/>([\w-]+)"\]$/gm)].map((m) => [m[1], `${m[2]} ${m[3]}`]);
    const top = runs.dev.resources.filter((r) => r.parentUrn === stackResourceOf("dev").urn);
    assert.deepEqual(boxes.map(([, box]) => box), top.map((r) => `${r.type.split(":").pop()!.split("/").pop()} ${r.name}`));
    const id = (box: string) => boxes.find(([, b]) => b === box)![0];
    assert.ok(diagram.includes(`  ${id("TradingBotService trading-bot")} --> ${id("Network trading-bot")}\n`));
    assert.ok(diagram.includes(`  ${id("TradingBotService trading-bot")} --> ${id("SqliteVolume trading-bot-db")}\n`));
    assert.ok(diagram.includes(`  ${id("Dashboard trading-bot-dashboard")} --> ${id("Alerts trading-bot-alerts")}\n`));
    assert.ok(!/classDef/.test(diagram), "no marks without a diff");
  });

  it("marks, against a base, what is replaced and changed, with how many", async () => {
    const text = stagingVariants.databaseName;
    const was = documentOf("staging", committedText("staging"), await committedRun("staging"));
    const is = documentOf("staging", text, await variantRun("databaseName", "staging", text));
    const diagram = mermaidDiagram(is.resources, diffPlans(was, is, base));
    assert.match(diagram, /^ {2}r\d+\["PostgresDatabase<br\/>trading-bot-db<br\/>\(2 replaced\)"\]:::replaced$/m);
    assert.match(diagram, /^ {2}r\d+\["AppSecrets<br\/>trading-bot-secrets<br\/>\(1 replaced\)"\]:::replaced$/m);
    assert.match(diagram, /^ {2}r\d+\["Dashboard<br\/>trading-bot-dashboard<br\/>\(1 changed\)"\]:::changed$/m);
    assert.equal(await parseMermaid(diagram), "flowchart-v2");
  });

  it("keeps a removed box, dashed, and marks an added one", async () => {
    const [full, bare] = [documentOf("dev", committedText("dev"), await committedRun("dev")), documentOf("dev", devWithoutDashboard, await variantRun("no-dashboard", "dev", devWithoutDashboard))];
    const removed = mermaidDiagram(bare.resources, diffPlans(full, bare, base));
    assert.match(removed, /^ {2}r\d+\["Dashboard<br\/>trading-bot-dashboard<br\/>\(removed\)"\]:::removed$/m);
    assert.match(removed, /^ {2}classDef removed .*stroke-dasharray:5 5$/m);
    const added = mermaidDiagram(full.resources, diffPlans(bare, full, base));
    assert.match(added, /^ {2}r\d+\["Dashboard<br\/>trading-bot-dashboard<br\/>\(added\)"\]:::added$/m);
    for (const diagram of [removed, added]) assert.equal(await parseMermaid(diagram), "flowchart-v2");
  });

  it("writes names that would end a label or start markup as entity codes", async () => {
    const diagram = mermaidDiagram([{ urn: "u1", type: "x:y:Odd", name: 'a "quoted" <b>#1</b>', parent: null, dependencies: [] }]);
    assert.equal(diagram, 'flowchart LR\n  r1["Odd<br/>a #34;quoted#34; #60;b#62;#35;1#60;/b#62;"]\n');
    assert.equal(await parseMermaid(diagram), "flowchart-v2");
  });

  it("are those of docs/ci-and-trust.md, generated by npm run diagrams", () => {
    const block = blockText(fs.readFileSync(path.join(repoRoot, "docs", "ci-and-trust.md"), "utf8"), "stack-diagrams");
    const shapes = ["dev", "staging", "prod"].map((stack) => ({ stack, environment: settingsOf(stack).environment, resources: diagramResources(runs[stack]) }));
    assert.equal(block, stackDiagramsSection(shapes), "run npm run docs");
  });
});
