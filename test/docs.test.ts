// The guides are current: every block `npm run docs` generates equals the committed page's,
// and every relative link of README.md and docs/ names a file (and a heading) of the checkout.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { blockText, withBlock } from "../tools/docs/blocks";
import { configReferenceTable, configRowProblems, valueCell } from "../tools/docs/configReference";
import { configKeyRows } from "../tools/docs/configKeys";
import { type GeneratedBlock, generatedBlocks } from "../tools/docs/generated";
import { main, staleBlocks } from "../tools/docs/index";
import { brokenLinks, headingAnchors, linkedPages } from "../tools/docs/links";
import { declaredOutputs, outputsTable } from "../tools/docs/outputsTable";
import { repoRoot } from "./helpers";

/** A scratch checkout holding `files` (path -> text). */
function scratchPages(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "docs-test-"));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** The generated blocks, computed once for every test here (each stack's program runs under mocks). */
let generated: Promise<GeneratedBlock[]> | undefined;
const committedBlocks = () => (generated ??= generatedBlocks(repoRoot));

describe("the docs pages", () => {
  let blocks: GeneratedBlock[];
  before(async () => {
    blocks = await committedBlocks();
  });

  it("hold every generated block as npm run docs writes it", () => {
    assert.deepEqual(staleBlocks(repoRoot, blocks), [], "run npm run docs");
    assert.deepEqual(
      blocks.map(({ page, block }) => `${page} ${block}`),
      [
        "docs/configuration.md app-metrics",
        "docs/outputs.md outputs",
        "docs/policies.md policy-table",
        "docs/ci-and-trust.md role-table",
        "docs/ci-and-trust.md scope-table",
        "docs/ci-and-trust.md trust-table",
        "docs/ci-and-trust.md example-comment",
        "docs/configuration.md config-reference",
        "docs/ci-and-trust.md stack-diagrams",
        "docs/costs.md cost-dev",
        "docs/costs.md cost-prod",
        "docs/costs.md cost-staging",
      ],
    );
  });

  it("name a stale block and its page, and a page without the block", () => {
    const policies = fs.readFileSync(path.join(repoRoot, "docs", "policies.md"), "utf8");
    const root = scratchPages({ "docs/policies.md": policies.replace("| `", "| `x"), "docs/costs.md": "# costs\n" });
    const [policyTable] = blocks.filter((b) => b.block === "policy-table");
    const [dev] = blocks.filter((b) => b.block === "cost-dev");
    assert.deepEqual(staleBlocks(root, [policyTable, dev]), ["docs/policies.md: <!-- policy-table --> is stale", "docs/costs.md: no <!-- cost-dev --> ... <!-- /cost-dev --> block"]);
  });

  it("have no relative link to a missing file or heading", () => {
    assert.deepEqual(linkedPages(repoRoot).flatMap((page) => brokenLinks(repoRoot, page)), []);
    assert.ok(linkedPages(repoRoot).includes("docs/operations.md"));
    assert.ok(linkedPages(repoRoot).includes("packages/db/README.md"));
  });

  it("start with one line saying who each is for", () => {
    for (const page of linkedPages(repoRoot).filter((page) => page.startsWith("docs/"))) {
      const [title, blank, who] = fs.readFileSync(path.join(repoRoot, page), "utf8").split("\n");
      assert.match(`${title}\n${blank}\n${who}`, /^# .+\n\n\*For whoever .+\*$/, page);
    }
  });

  it("keep the README a front page: the three quick-start commands, under 250 lines", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    assert.ok(readme.split("\n").length <= 250, `${readme.split("\n").length} lines`);
    for (const command of ["npm ci", "npm run plan -- dev", "npm test"]) assert.ok(readme.includes(`\n${command} `), command);
  });
});

describe("the link check", () => {
  it("reports a missing file and a missing heading, and ignores links in code and to the web", () => {
    const root = scratchPages({
      "README.md": "# Title\n\n[a](docs/a.md#two) [b](docs/b.md) [c](#title) [d](https://example.com/x) `[e](nowhere.md)`\n\n```\n[f](nowhere.md)\n```\n",
      "docs/a.md": "# One\n\n## Two\n\n[back](../README.md#three) [self](#one)\n",
    });
    assert.deepEqual(["README.md", "docs/a.md"].flatMap((page) => brokenLinks(root, page)), ["README.md: (docs/b.md): no file docs/b.md", "docs/a.md: (../README.md#three): README.md has no heading #three"]);
  });

  it("knows GitHub's anchors: punctuation and code marks dropped, repeats numbered", () => {
    assert.deepEqual([...headingAnchors("# Set-up: accounts and trust\n## What the first `pulumi up` does\n## The app's own metrics\n## Alarms\n### Alarms\n```\n# not a heading\n```\n")], [
      "set-up-accounts-and-trust",
      "what-the-first-pulumi-up-does",
      "the-apps-own-metrics",
      "alarms",
      "alarms-1",
    ]);
  });
});

describe("a generated block", () => {
  it("is read and replaced between its markers, and refused on a page without them", () => {
    const page = "intro\n<!-- t -->\nold\n<!-- /t -->\nafter\n";
    assert.equal(blockText(page, "t"), "old");
    assert.equal(withBlock(page, "t", "new\nlines", "p.md"), "intro\n<!-- t -->\nnew\nlines\n<!-- /t -->\nafter\n");
    assert.equal(blockText("no block", "t"), undefined);
    assert.throws(() => withBlock("no block", "t", "x", "docs/p.md"), { message: "docs/p.md has no <!-- t --> ... <!-- /t --> block" });
  });
});

describe("the config reference", () => {
  it("has a row for every key of the schema, the secrets and aws:allowedAccountIds, and no other", () => {
    assert.deepEqual(configRowProblems(), []);
    const rows = [
      ...configKeyRows.filter((row) => !row.keys.includes("app.logLevel") && !row.keys.includes("secretKey")),
      { keys: ["app.logLevels"], what: "a misspelt key" },
      { keys: ["secretKey"], what: "a secret not marked" },
      { keys: ["app.logFormat"], secret: true as const, what: "marked, not a secret" },
    ];
    const problems = [
      "tools/docs/configKeys.ts: app.logLevels is no key of the stack config",
      "tools/docs/configKeys.ts: no row describes app.logLevel",
      "tools/docs/configKeys.ts: secretKey is a secret key: mark its row secret",
      "tools/docs/configKeys.ts: app.logFormat is not a secret key: its row is marked secret",
    ];
    assert.deepEqual(configRowProblems(rows), problems);
    assert.throws(() => configReferenceTable([], rows), { message: problems.join("\n") });
  });

  it("prints values compactly: images by their last part, named items by name, pipes escaped", () => {
    assert.equal(valueCell({ command: ["CMD-SHELL", "curl -f x || exit 1"], retries: 3 }), "command: CMD-SHELL, curl -f x || exit 1, retries: 3");
    assert.equal(valueCell(`123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot@sha256:${"ab".repeat(32)}`), "…/trading-bot@sha256:abababab…");
    assert.equal(valueCell("123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:1.0.0"), "…/trading-bot:1.0.0");
    assert.equal(valueCell([{ name: "ServiceDown" }, { name: "TaskDown" }]), "ServiceDown, TaskDown");
    assert.equal(valueCell(["dev", { stack: "prod", account: "111111111111" }]), "dev, prod@111111111111");
    assert.equal(valueCell([{ capacityProvider: "FARGATE", weight: 100 }]), "FARGATE 100");
    assert.deepEqual([valueCell([]), valueCell(null), valueCell(undefined), valueCell(false)], ["[]", "null", "", "false"]);
  });

  it("is the committed stacks' values under their column", async () => {
    const [reference] = (await committedBlocks()).filter((b) => b.block === "config-reference");
    const lines = reference.text.split("\n");
    assert.equal(lines[0], "| key | dev | staging | prod | what it sets |");
    assert.ok(lines.includes("| `alerts.rules` | ServiceDown, HighMemoryUsage | ServiceDown, TaskDown, Heartbeat, HighErrorRate | ServiceDown, TaskDown, Heartbeat, HighErrorRate, TradingLoss | " + configKeyRows.find((row) => row.keys[0] === "alerts.rules")!.what + " |"));
    assert.ok(lines.some((line) => line.startsWith("| `service.healthCheck` | null | command: CMD-SHELL, curl -f http://localhost:8080/health \\|\\| exit 1, intervalSeconds: 30,")));
    assert.ok(lines.includes("| `secretKey` (secret) |  |  |  | `SECRET_KEY`; generated once when not set |"));
  });
});

describe("the outputs table", () => {
  const declaration = (members: string) => `export interface TradingBotOutputValues {\n${members}}\n`;

  it("joins a key without a doc comment to the row above, and refuses a first key without one", () => {
    assert.deepEqual(declaredOutputs(declaration("  /** The cluster,\n   * by name. */\n  clusterName: string;\n  clusterArn: string;\n  /** Null without it. */\n  dashboardUrl: string | null;\n")), [
      { keys: ["clusterName", "clusterArn"], types: ["string", "string"], doc: "The cluster, by name." },
      { keys: ["dashboardUrl"], types: ["string | null"], doc: "Null without it." },
    ]);
    assert.throws(() => declaredOutputs(declaration("  region: string;\n")), { message: "stacks/outputs.ts: region has no doc comment" });
    assert.throws(() => declaredOutputs("export interface Other {}\n"), { message: "stacks/outputs.ts declares no TradingBotOutputValues" });
  });

  it("refuses a declaration that is not the exported keys", () => {
    const source = fs.readFileSync(path.join(repoRoot, "stacks", "outputs.ts"), "utf8");
    assert.throws(() => outputsTable(source.replace("  region: string;\n", "  region: string;\n  zone: string;\n")), { message: "stacks/outputs.ts: outputKeys and TradingBotOutputValues differ: zone" });
    assert.throws(() => outputsTable(source.replace("  configBucketName: string;\n", "")), { message: "stacks/outputs.ts: outputKeys and TradingBotOutputValues differ: configBucketName" });
    assert.ok(outputsTable(source).includes("\n| `databaseUrl` (secret) | `string` | DATABASE_URL itself. Secret. |\n"));
  });
});

describe("npm run docs", () => {
  /** Runs the command on `root` with `blocks` as the generated ones; its exit code and what it printed. */
  async function run(argv: string[], root: string, blocks: GeneratedBlock[]): Promise<{ status: number; stdout: string[]; stderr: string[] }> {
    const printed = { stdout: [] as string[], stderr: [] as string[] };
    const [log, error] = [console.log, console.error];
    console.log = (line: string) => printed.stdout.push(line);
    console.error = (line: string) => printed.stderr.push(line);
    try {
      return { status: await main(argv, { projectRoot: root }, async () => blocks), ...printed };
    } finally {
      [console.log, console.error] = [log, error];
    }
  }
  const blocks: GeneratedBlock[] = [
    { page: "docs/a.md", block: "one", text: "| new |" },
    { page: "docs/a.md", block: "two", text: "2" },
  ];
  const pages = () => ({ "README.md": "# R\n\n[a](docs/a.md#a) [gone](docs/gone.md)\n", "docs/a.md": "# A\n\n<!-- one -->\n| old |\n<!-- /one -->\n\n<!-- two -->\n2\n<!-- /two -->\n" });

  it("lists the stale blocks and the broken links with --check, writing nothing (exit 1)", async () => {
    const root = scratchPages(pages());
    assert.deepEqual(await run(["--check"], root, blocks), {
      status: 1,
      stdout: ["docs: 1 of 2 generated blocks stale (run npm run docs), 1 broken links"],
      stderr: ["docs/a.md: <!-- one --> is stale", "README.md: (docs/gone.md): no file docs/gone.md"],
    });
    assert.equal(fs.readFileSync(path.join(root, "docs", "a.md"), "utf8"), pages()["docs/a.md"]);
  });

  it("rewrites the stale blocks, and then --check passes what is current", async () => {
    const root = scratchPages({ ...pages(), "README.md": "# R\n\n[a](docs/a.md#a)\n" });
    assert.deepEqual(await run([], root, blocks), { status: 0, stdout: ["docs: wrote 2 generated blocks (1 were stale)"], stderr: [] });
    assert.equal(fs.readFileSync(path.join(root, "docs", "a.md"), "utf8"), "# A\n\n<!-- one -->\n| new |\n<!-- /one -->\n\n<!-- two -->\n2\n<!-- /two -->\n");
    assert.deepEqual(await run(["--check"], root, blocks), { status: 0, stdout: ["docs: 0 of 2 generated blocks stale, 0 broken links"], stderr: [] });
    assert.deepEqual(fs.readdirSync(path.join(root, "docs")), ["a.md"], "no temporary file left");
  });

  it("refuses any other argument (exit 2), before generating anything", async () => {
    const root = scratchPages(pages());
    assert.deepEqual(await run(["--write"], root, blocks), { status: 2, stdout: [], stderr: ["usage: npm run docs [-- --check]   (regenerate the docs' generated blocks, or list the stale ones and the broken links and exit 1)"] });
  });
});
