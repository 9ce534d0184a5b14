// npm run plan -- <stack> --base <ref> | --base-json <file> | --diagram [file], in-process
// (main(argv)): a base commit checked out in a temporary worktree and planned with its own
// program and pack, the refusals before any work, the diagram's file and stdout.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planBaseCommit, readBasePlan } from "../tools/plan/base";
import { Cleanup } from "../tools/plan/cleanup";
import { diagramResources, mermaidDiagram } from "../tools/plan/diagram";
import { planDocumentSchema } from "../tools/plan/document";
import { main } from "../tools/plan/index";
import { repoRoot, strayPolicyPacks } from "./helpers";
import { committedRun, committedText, edited, javaScriptCheckout } from "./planSupport";

const { parseMermaid } = require("./mermaidParser.mjs") as { parseMermaid(text: string): Promise<string> };

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the plan's main in this process, with what it prints captured. */
async function plan(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const status = await main(argv, { projectRoot: repoRoot, code: javaScriptCheckout() });
    return { status, stdout: out.join(""), stderr: err.join("") };
  } finally {
    [process.stdout.write, process.stderr.write] = [stdout, stderr];
  }
}

const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-C", cwd, ...args], { encoding: "utf8" }).trim();
const scratch = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/**
 * A git repository holding this project's program, pack and stack files as its one commit
 * (its lock file one line longer, so that it differs from this checkout's), with staging's
 * file changed in the working tree: it now trades with real money.
 */
function repositoryWithAChange(): string {
  const repo = scratch("plan-base-repo-");
  for (const entry of ["infra", "stacks", "policies", "packages", "data", "Pulumi.yaml", "package.json", ...["dev", "staging", "prod"].map((s) => `Pulumi.${s}.yaml`)]) {
    fs.cpSync(path.join(repoRoot, entry), path.join(repo, entry), { recursive: true, filter: (source) => !source.includes("node_modules") });
  }
  fs.writeFileSync(path.join(repo, "package-lock.json"), `${fs.readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")}\n`);
  git(repo, "init", "--quiet", "--initial-branch=main");
  git(repo, "add", "-A");
  git(repo, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "base");
  fs.writeFileSync(path.join(repo, "Pulumi.staging.yaml"), edited(committedText("staging"), ["    bybitTestnet: true\n", "    bybitTestnet: false\n"]));
  return repo;
}

const baseFolders = () => new Set(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith("trading-bot-base-")));

describe("npm run plan -- <stack> --base <ref>", () => {
  let repo: string;
  let run: Run;
  let out: string;
  let basesBefore: Set<string>;
  before(async () => {
    repo = repositoryWithAChange();
    out = scratch("plan-base-out-");
    basesBefore = baseFolders();
    run = await plan("staging", "--base", "HEAD", "-C", repo, "--json", path.join(out, "plan.json"), "--diagram", path.join(out, "staging.mmd"));
  });

  it("plans the base commit in a worktree and reports what the working tree changes (exit 1: a mandatory verdict appears)", () => {
    assert.equal(run.status, 1, run.stderr);
    const commit = git(repo, "rev-parse", "--short=7", "HEAD");
    assert.match(run.stdout, new RegExp(`^Against git HEAD \\(${commit}\\): 1 to replace, 1 to change, 0 to add, 0 to remove, 71 unchanged$`, "m"));
    assert.match(run.stdout, /^ {2}± replace aws:ecs\/taskDefinition:TaskDefinition trading-bot-task: containerDefinitions \(\[trading-bot\]\.environment\[BYBIT_TESTNET\]\.value\)/m);
    assert.match(run.stdout, /^ {2}~ update {2}aws:ecs\/service:Service trading-bot-service: taskDefinition \(from the replaced trading-bot-task\)$/m);
    assert.match(run.stdout, /^ {2}policy now fails \(mandatory\): \S+ on trading-bot-task$/m);
    assert.match(run.stderr, /^plan: checking out git HEAD \(\w{7}\) in a temporary worktree$/m);
  });

  it("writes the diff into the plan's JSON", () => {
    const document = planDocumentSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")));
    const diff = document.diff!;
    assert.match(diff.base.source, /^git HEAD \([0-9a-f]{7}\)$/);
    assert.equal(diff.base.generatedBy, document.generatedBy);
    assert.deepEqual(diff.policy.appeared.map((v) => [v.level, v.urn.split("::").pop()]), [["mandatory", "trading-bot-task"]]);
    assert.deepEqual(diff.policy.disappeared, []);
    assert.equal(diff.cost.deltaUsd, 0);
  });

  it("says that the base's lock file differs from this checkout's", () => {
    assert.match(run.stdout, /^ {2}note: the base's package-lock\.json differs from this checkout's: the base was planned with this checkout's node_modules$/m);
  });

  it("removes the worktree, prunes it from git's list, and leaves no policy pack running", () => {
    assert.equal(git(repo, "worktree", "list").split("\n").length, 1);
    assert.deepEqual([...baseFolders()].filter((name) => !basesBefore.has(name)), []);
    assert.deepEqual(strayPolicyPacks(), []);
  });

  it("writes the diagram with the replaced component marked, which mermaid parses", async () => {
    const diagram = fs.readFileSync(path.join(out, "staging.mmd"), "utf8");
    assert.match(diagram, /^ {2}r\d+\["TradingBotService<br\/>trading-bot<br\/>\(1 replaced, 1 changed\)"\]:::replaced$/m);
    assert.equal(await parseMermaid(diagram), "flowchart-v2");
    assert.match(run.stdout, /^Wrote the diagram to .*staging\.mmd\. (Render it with: mmdc|@mermaid-js\/mermaid-cli is not installed here\. Render it with: npx -p @mermaid-js\/mermaid-cli mmdc -i .*staging\.mmd -o .*staging\.svg)/m);
  });

  it("calls a stack the base does not have all new, without planning the base", async () => {
    const cleanup = new Cleanup();
    const base = await planBaseCommit({ directory: repo, ref: "HEAD", commit: git(repo, "rev-parse", "HEAD"), stack: "qa", projectRoot: repoRoot }, cleanup);
    await cleanup.run();
    assert.deepEqual(base, { document: undefined, info: { source: `git HEAD (${git(repo, "rev-parse", "--short=7", "HEAD")})`, notes: ["Pulumi.qa.yaml does not exist at HEAD: every resource is new"] } });
  });
});

describe("--base-json: an earlier plan as the base (tools/plan/base.ts)", () => {
  it("reads it, and notes a plan made with another lock file", async () => {
    const document = JSON.parse(fs.readFileSync(path.join(repoRoot, "test/fixtures/plan/plan-dev-0.1.0.json"), "utf8"));
    const folder = scratch("plan-base-json-");
    fs.writeFileSync(path.join(folder, "old.json"), JSON.stringify(document));
    fs.writeFileSync(path.join(folder, "other-lock.json"), JSON.stringify({ ...document, packageLock: "0123456789abcdef" }));
    const old = readBasePlan(path.join(folder, "old.json"), "dev");
    assert.deepEqual([old.document?.stack, old.info], ["dev", { source: "file old.json", notes: [] }]);
    assert.deepEqual(readBasePlan(path.join(folder, "other-lock.json"), "dev").info.notes, ["the base plan was made with another package-lock.json than this plan"]);
  });
});

describe("npm run plan: what --base, --base-json and --diagram refuse before any work (exit 2)", () => {
  let earlier: string;
  let printed: Run;
  before(async () => {
    earlier = path.join(scratch("plan-refusals-"), "plan-dev.json");
    // A real plan of dev for the stack checks, written by the plan itself once; --diagram alone prints only the diagram.
    printed = await plan("dev", "--json", earlier, "--diagram");
    assert.equal(printed.status, 0, printed.stderr);
  });

  const refusals: [string, () => string[], string | (() => string)][] = [
    ["a ref that names no commit", () => ["dev", "--base", "no-such-ref"], `plan: --base no-such-ref: no such commit in ${repoRoot} (a shallow clone needs the base fetched, e.g. fetch-depth: 2 for HEAD^1)`],
    ["a ref that looks like an option", () => ["dev", "--base=--output=x"], 'plan: --base "--output=x": give a git ref such as main, origin/main or HEAD^1'],
    ["--base with --base-json", () => ["dev", "--base", "HEAD", "--base-json", earlier], "plan: give either --base or --base-json, not both"],
    ["--base with --compare", () => ["--compare", "dev", "prod", "--base", "HEAD"], "plan: --base goes with the plan of one stack, not with --compare"],
    ["an earlier plan of another stack", () => ["prod", "--base-json", earlier], () => `plan: --base-json ${earlier} is the plan of dev, not of prod`],
    ["a file that is not JSON", () => ["dev", "--base-json", path.join(repoRoot, "README.md")], `plan: --base-json ${path.join(repoRoot, "README.md")}: not JSON; give a file written by npm run plan -- <stack> --json`],
    ["JSON that is not a plan", () => ["dev", "--base-json", path.join(repoRoot, "package.json")], `plan: --base-json ${path.join(repoRoot, "package.json")}: not a plan document (stack: Invalid input: expected string, received undefined)`],
    ["a plan file that does not exist", () => ["dev", "--base-json", "/nonexistent/plan.json"], "plan: --base-json /nonexistent/plan.json: no such file"],
    ["a diagram file that is not .mmd", () => ["dev", "--diagram", "README.md"], "plan: --diagram README.md: give a file ending in .mmd, e.g. --diagram staging.mmd (or no file to print it)"],
    ["a diagram in a folder that does not exist", () => ["dev", "--diagram", "/nonexistent/dev.mmd"], "plan: --diagram /nonexistent/dev.mmd: the folder /nonexistent does not exist"],
  ];
  for (const [what, argv, message] of refusals) {
    it(`refuses ${what}`, async () => {
      const run = await plan(...argv());
      assert.equal(run.status, 2);
      assert.equal(run.stderr, `${typeof message === "function" ? message() : message}\n`);
      assert.equal(run.stdout, "");
    });
  }

  it("refuses a diagram target that is a symbolic link", async () => {
    const folder = scratch("plan-diagram-link-");
    fs.symlinkSync(path.join(repoRoot, "README.md"), path.join(folder, "dev.mmd"));
    const run = await plan("dev", "--diagram", path.join(folder, "dev.mmd"));
    assert.equal(run.stderr, `plan: --diagram ${path.join(folder, "dev.mmd")} is a symbolic link; give the path of a file\n`);
    assert.equal(run.status, 2);
  });

  it("prints only the diagram of dev with --diagram and no file, the one the README shows, and says how to render it", async () => {
    assert.equal(printed.stdout, mermaidDiagram(diagramResources(await committedRun("dev"))));
    assert.match(printed.stderr, /^(Render it with: mmdc -i diagram\.mmd|@mermaid-js\/mermaid-cli is not installed here\. Render it with: npx -p @mermaid-js\/mermaid-cli mmdc -i diagram\.mmd -o diagram\.svg)/m);
    assert.ok(planDocumentSchema.safeParse(JSON.parse(fs.readFileSync(earlier, "utf8"))).success, "the JSON is written too");
  });
});
