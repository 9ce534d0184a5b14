// `npm run plan` end to end, in child processes, as a user runs it.
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PriceTableError, estimateCost, loadPriceTable, tasksPerProvider } from "../tools/plan/cost";
import { planDocumentSchema } from "../tools/plan/document";
import { checkJsonTarget } from "../tools/plan/jsonFile";
import { PolicyPackProcess } from "../tools/engine/policyPack";
import { main as planMain } from "../tools/plan";
import { PlanRefused } from "../tools/plan/output";
import { renderPlanSummary } from "../tools/plan/summary";
import { inProcess, isRunning, repoRoot, runCommittedStack, runStackText, settingsOf, strayPolicyPacks } from "./helpers";
import { javaScriptCheckout } from "./planSupport";

/** How --json refuses a name the Pulumi CLI reads. */
const pulumiNameRefusal = (file: string) =>
  `--json ${file}: a plan is never written under a name the Pulumi CLI reads (Pulumi.yaml, Pulumi.json, Pulumi.<stack>.yaml, PulumiPolicy.yaml, any case); give a name such as plan-dev.json`;

/** The committed price tables. */
const dataFolder = path.resolve(__dirname, "..", "data");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command `npm run plan --` runs. */
function plan(...args: string[]): Run {
  const result = spawnSync(process.execPath, [path.join(repoRoot, "tools", "launch.js"), "plan", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The plan's `main` in this process, output captured: for refusals and --compare, decided
 * without the program or the policy pack (the runs above keep the process, its exit status and the pack).
 */
function planHere(...args: string[]): Promise<Run> {
  return inProcess(() => planMain(args, { projectRoot: repoRoot }));
}

/**
 * A whole plan (program, policy pack, price) by its `main` in this process, with the JavaScript
 * copy of this checkout the launcher runs: for what a plan decides and prints. Its pack is still
 * a process of its own; the launcher, exit statuses and the pack's end are tested by `plan` above.
 */
function planInProcess(...args: string[]): Promise<Run> {
  return inProcess(() => planMain(args, { projectRoot: repoRoot, code: javaScriptCheckout() }));
}

/** As planInProcess, with a pack started once and shared by the plans of a describe (none of them configures it). */
function planWithSharedPack(pack: () => PolicyPackProcess, ...args: string[]): Promise<Run> {
  return inProcess(() => planMain(args, { projectRoot: repoRoot, code: javaScriptCheckout(), pack: pack() }));
}

/** The policy pack's process id, from the plan's progress line. */
function packPid(run: Run): number {
  const pid = /^plan: starting the policy pack \(pid (\d+)\)$/m.exec(run.stderr)?.[1];
  assert.ok(pid, `no pid in: ${run.stderr}`);
  return Number(pid);
}

/** After the plan ended: the pack it started has ended too, and no pack of this checkout is left. */
function assertPackEnded(run: Run): void {
  assert.equal(isRunning(packPid(run)), false, "the policy pack outlived the plan");
  assert.deepEqual(strayPolicyPacks(), []);
}

const committed = (stack: string) => fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8");

/** Starts the plan, sends `signal` as soon as the policy pack has started, and waits for the plan's end. */
function planStopped(signal: NodeJS.Signals, ...args: string[]): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string; pack: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "tools", "launch.js"), "plan", ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" } });
    let stderr = "";
    let pack = -1;
    child.stdout.resume();
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const pid = /^plan: starting the policy pack \(pid (\d+)\)$/m.exec(stderr)?.[1];
      if (pid && pack === -1) {
        pack = Number(pid);
        child.kill(signal);
      }
    });
    child.on("error", reject);
    child.on("exit", (status, signalCode) => resolve({ status, signal: signalCode, stderr, pack }));
  });
}

/** A folder holding one stack file, for `plan -C`. */
function stackFolder(stack: string, text: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
  fs.writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), text);
  return folder;
}

/** The committed dev and prod files, dev moved into prod's account. */
function sharedAccountFolder(): string {
  const folder = stackFolder("prod", committed("prod"));
  fs.writeFileSync(path.join(folder, "Pulumi.dev.yaml"), committed("dev").replace('[ "222222222222" ]', '[ "111111111111" ]'));
  return folder;
}

describe("npm run plan", () => {
  let sharedPack: PolicyPackProcess | undefined;
  before(async () => {
    sharedPack = await PolicyPackProcess.start(javaScriptCheckout().packDirectory);
  });
  after(() => sharedPack?.stop());
  /** The plan in this process, with the pack of this describe. */
  const planShared = (...args: string[]) => planWithSharedPack(() => sharedPack!, ...args);

  it("plans dev: resources, no policy violation, 7.93 USD within the 15 USD budget (exit 0)", () => {
    const run = plan("dev");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^trading-bot dev: 59 resources \(offline, under Pulumi's mocks\)$/m);
    assert.match(run.stdout, /^pulumi:pulumi:Stack trading-bot-dev$/m);
    assert.match(run.stdout, /^├─ trading-bot:infra:TradingBotService trading-bot$/m);
    assert.match(run.stdout, /aws:ecs\/service:Service trading-bot-service {2}desired=1 minHealthy=0% max=200% capacity=FARGATE_SPOT publicIp=true$/m);
    assert.match(run.stdout, /^Policies \(trading-bot-policies 0\.1\.0\)\n {2}no violations$/m);
    assert.match(run.stdout, /total \(budget 15\.00\) +│ +7\.93 │/);
    assert.match(run.stdout, /^OK: no mandatory violation; 7\.93 USD a month within the 15 USD budget$/m);
    assert.match(run.stderr, /^plan: checking 59 resources against the policy pack$/m, "progress on stderr");
    assert.doesNotMatch(run.stdout, /\x1b\[/, "no colour off a terminal");
    assertPackEnded(run);
  });

  it("writes prod's plan as JSON in the contract's shape, secrets as [secret]", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-json-")), "prod.json");
    const run = await planShared("prod", "--json", file);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Wrote the plan to ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    const document = planDocumentSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
    assert.equal(document.stack, "prod");
    assert.deepEqual(document.resources[0], {
      urn: "urn:pulumi:prod::trading-bot::pulumi:pulumi:Stack::trading-bot-prod",
      type: "pulumi:pulumi:Stack",
      name: "trading-bot-prod",
      parent: null,
      custom: false,
      protect: false,
      inputs: {},
      dependencies: [],
      propertyDependencies: {},
    });
    assert.equal(document.resources.length, 76);
    // What a later diff compares: each resource's dependencies, the stack file's secure: texts (prod's has none), the lock file.
    const service = document.resources.find((r) => r.type === "aws:ecs/service:Service")!;
    assert.deepEqual(service.propertyDependencies.taskDefinition, ["urn:pulumi:prod::trading-bot::trading-bot:infra:TradingBotService$aws:ecs/taskDefinition:TaskDefinition::trading-bot-task"]);
    assert.deepEqual(document.secureFingerprints, {});
    assert.match(document.packageLock ?? "", /^[0-9a-f]{16}$/);
    const db = document.resources.find((r) => r.type === "aws:rds/instance:Instance")!;
    assert.equal(db.protect, true);
    assert.equal(db.inputs.password, "[secret]");
    assert.equal(db.parent, "urn:pulumi:prod::trading-bot::trading-bot:infra:PostgresDatabase::trading-bot-db");
    assert.equal(document.outputs.databaseUrl, "[secret]");
    assert.equal(document.outputs.cacheUrl, "[secret]");
    assert.equal(document.outputs.serviceDiscoveryName, null);
    // The committed prod file still carries the example address for critical alerts: advisory, not blocking.
    assert.deepEqual(document.policy, {
      pack: "trading-bot-policies",
      version: "0.1.0",
      violations: [
        {
          level: "advisory",
          message:
            "the critical topic trading-bot-alerts-critical only reaches trading-alerts@example.com, at a domain reserved for examples; replace it with a real address (trading-bot:alerts.emails.critical)",
          policy: "alerts-critical-subscription-not-placeholder",
          urn: "urn:pulumi:prod::trading-bot::trading-bot:infra:Alerts$aws:sns/topic:Topic::trading-bot-alerts-critical",
        },
      ],
    });
    assert.equal(document.cost.monthlyTotal, 274.88);
    assert.equal(document.cost.budget, 300);
    assert.deepEqual(document.cost.priceTable, { region: "us-east-1", date: "2026-11" });
    const nat = document.cost.items.find((item) => item.unit === "hour" && item.component === "Network trading-bot")!;
    assert.deepEqual(nat, { urn: nat.urn, component: "Network trading-bot", quantity: 1460, unit: "hour", unitUsd: 0.045, monthlyUsd: 65.7 });
    const sum = document.cost.items.reduce((total, item) => total + item.monthlyUsd, 0);
    assert.equal(Math.round(sum * 100) / 100, document.cost.monthlyTotal);

    // The preview workflow's pull-request comment, from this JSON.
    const summary = renderPlanSummary([file, path.join(path.dirname(file), "plan-dev.json")]);
    assert.ok(summary.includes("| prod | 75 | (no base) | 274.88 | 300.00 | ✅ passes |"), summary);
    assert.ok(summary.includes("| plan-dev.json | | | | | no plan: see the job log |"), summary);
    assert.ok(
      summary.includes(
        "- **prod** `alerts-critical-subscription-not-placeholder` (advisory) on `trading-bot-alerts-critical`: the critical topic trading-bot-alerts-critical only reaches trading-alerts@example.com",
      ),
      summary,
    );
  });

  it("exits 1 over budget", () => {
    const run = plan("dev", "-C", stackFolder("dev", committed("dev").replace("monthlyUsd: 15", "monthlyUsd: 5")));
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^FAIL: 7\.93 USD a month is over the 5 USD budget$/m);
    assertPackEnded(run);
  });

  it("exits 1 on a mandatory policy violation, naming it", async () => {
    const run = await planShared("prod", "-C", stackFolder("prod", committed("prod").replace("desiredCount: 3", "desiredCount: 1")));
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^ {2}mandatory \(1\)\n {4}ecs-service-desired-count: trading-bot-service: desiredCount is 1; production runs at least 2 tasks$/m);
    assert.match(run.stdout, /^FAIL: 1 mandatory policy violation\(s\)$/m);
  });

  it("names the stack as the subject of a whole-stack finding (no alarm at all)", async () => {
    const noRules = committed("prod").replace(/\n    rules:\n(?: {6}.*\n| *#.*\n)+/, "\n    rules: []\n");
    assert.notEqual(noRules, committed("prod"));
    const run = await planShared("prod", "-C", stackFolder("prod", noRules));
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^ {4}alerts-service-down-alarm: the stack: /m);
    assert.match(run.stdout, /^ {4}alerts-critical-alarm: the stack: /m);
  });

  it("exits 0 with an advisory only, listing it", async () => {
    const folder = stackFolder(
      "dev",
      committed("dev")
        .replace("natGateways: None", "natGateways: OnePerAz")
        .replace("subnets: public\n    assignPublicIp: true", "subnets: private\n    assignPublicIp: false")
        .replace("monthlyUsd: 15", "monthlyUsd: 100"),
    );
    const run = await planShared("dev", "-C", folder);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^ {2}advisory \(1\)\n {4}non-production-nat-gateway-cost: trading-bot-vpc: natGateways\.strategy is OnePerAz;/m);
  });

  const nameRule = "use 1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen";
  const bomb = [
    "config:",
    "  trading-bot:alerts:",
    '    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ...["b", "c", "d", "e", "f", "g", "h"].map((name, index) => {
      const previous = String.fromCharCode("a".charCodeAt(0) + index);
      return `    ${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`;
    }),
  ].join("\n");
  const refusals: [string, () => Promise<Run>, string | string[] | RegExp][] = [
    ["a stack with no file", () => planHere("nosuch"), `plan: Pulumi.nosuch.yaml does not exist in ${repoRoot}`],
    ["a stack name that is a path", () => planHere("../dev"), `plan: "../dev" is not a stack name this project can build: ${nameRule}`],
    ["a stack name with a capital letter, before any file is read", () => planHere("Dev", "-C", "/nonexistent-folder", "--json", "Pulumi.prod.yaml"),
      `plan: "Dev" is not a stack name this project can build: ${nameRule}`],
    ["a -C folder that does not exist", () => planHere("dev", "-C", "/nonexistent-folder"), "plan: -C /nonexistent-folder: no such folder"],
    ["a -C that is a file", () => planHere("dev", "-C", path.join(repoRoot, "package.json")), `plan: -C ${path.join(repoRoot, "package.json")}: not a folder`],
    ["YAML that does not parse", () => planHere("broken", "-C", stackFolder("broken", "config:\n  trading-bot:app: [\n")), /^plan: Pulumi\.broken\.yaml line \d+: not valid YAML: /],
    ["a YAML alias bomb", () => planHere("dev", "-C", stackFolder("dev", bomb)),
      'plan: Pulumi.dev.yaml: its YAML aliases expand beyond 100 (an alias bomb, "billion laughs"): write the values out'],
    ["a stack file over 1 MiB", () => planHere("dev", "-C", stackFolder("dev", `${committed("dev")}#${"x".repeat(1024 * 1024)}\n`)),
      "plan: Pulumi.dev.yaml is 1.0 MiB; a stack file may hold at most 1 MiB"],
    ["a config value the schema refuses", () => planHere("dev", "-C", stackFolder("dev", committed("dev").replace("cpu: 256", "cpu: 300"))),
      "Pulumi.dev.yaml: trading-bot:service.cpu is 300; Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384"],
    [".nan and -.inf, shown as written", () => planHere("dev", "-C", stackFolder("dev", committed("dev").replace("cpu: 256", "cpu: .nan").replace("memoryMiB: 512", "memoryMiB: -.inf"))),
      ["Pulumi.dev.yaml: trading-bot:service.cpu is .nan; Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384",
        "Pulumi.dev.yaml: trading-bot:service.memoryMiB is -.inf; allowed: MiB from 512 to 122880"]],
    ["a plain-text AWS key, without printing it", () => planHere("dev", "-C", stackFolder("dev", committed("dev").replace("  aws:region: us-east-1\n", "  aws:region: us-east-1\n  aws:secretKey: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n"))),
      "Pulumi.dev.yaml: aws:secretKey is stored in plain text; set it again with: pulumi config set --secret aws:secretKey <value> --stack dev (better: no key in the stack file at all, with OIDC in CI, or aws sso login or aws:profile on a workstation)"],
    ["a region with no price table", () => planHere("dev", "-C", stackFolder("dev", committed("dev").replace("aws:region: us-east-1", "aws:region: eu-west-1"))),
      "plan: no price table for region eu-west-1: data/ has us-east-1"],
    ["a production stack sharing its account with a non-production one (either is planned)", () => planHere("dev", "-C", sharedAccountFolder()),
      'plan: Pulumi.prod.yaml: the production stack prod shares the AWS account 111111111111 (aws:allowedAccountIds) with dev; give production an account of its own, or set trading-bot:accounts.sharedWithNonProduction: true in Pulumi.prod.yaml (docs/ci-and-trust.md: "One account or two")'],
    ["a production stack without aws:allowedAccountIds", () => planHere("prod", "-C", stackFolder("prod", committed("prod").replace('  aws:allowedAccountIds: [ "111111111111" ]\n', ""))),
      'Pulumi.prod.yaml: aws:allowedAccountIds is missing; a production stack names its AWS account (its name is a production name (prod, production)): add aws:allowedAccountIds: ["<12-digit account id>"]'],
    ["no stack", () => planHere(), "plan: which stack? e.g. npm run plan -- dev (see --help)"],
    ["--compare with one stack", () => planHere("--compare", "dev"), "plan: --compare takes two stacks, e.g. --compare dev prod; got 1"],
    ["--compare with a stack name it cannot build", () => planHere("--compare", "dev", "Prod"), `plan: "Prod" is not a stack name this project can build: ${nameRule}`],
    ["--compare and a stack", () => planHere("dev", "--compare", "dev", "prod"), "plan: give either a stack or --compare, not both"],
    ["--compare with --json", () => planHere("--compare", "dev", "prod", "--json", path.join(os.tmpdir(), "compare.json")),
      "plan: --json goes with the plan of one stack, not with --compare"],
    ["--json with an empty file name", () => planHere("dev", "--json", ""), "plan: --json needs a file name, e.g. --json plan-dev.json"],
    ["an unknown option", () => planHere("dev", "--bogus"), "error: unknown option '--bogus'"],
  ];
  for (const [what, run, expected] of refusals) {
    it(`exits 2 on ${what}, with one line, before starting the policy pack`, async () => {
      const result = await run();
      assert.equal(result.status, 2, result.stdout + result.stderr);
      const lines = result.stderr.split("\n").filter((line) => line && !line.startsWith("plan: reading"));
      if (Array.isArray(expected)) assert.deepEqual(lines, expected);
      else if (typeof expected === "string") assert.deepEqual(lines, [expected]);
      else {
        assert.equal(lines.length, 1, result.stderr);
        assert.match(lines[0], expected);
      }
      assert.equal(result.stdout, "");
      assert.doesNotMatch(result.stderr, /policy pack/);
      assert.deepEqual(strayPolicyPacks(), []);
    });
  }

  it("lists every option and the exit statuses with --help (exit 0)", () => {
    const run = plan("--help");
    assert.equal(run.status, 0);
    for (const text of ["--json <file>", "--compare <stacks...>", "-C, --cwd <dir>", "-h, --help", "Exit status: 0", "npm run plan -- --compare dev prod"]) {
      assert.ok(run.stdout.includes(text), text);
    }
  });

  it("never prints a secret: neither a configured value nor a stand-in", async () => {
    const withSecrets = committed("prod").replace(
      "config:\n",
      "config:\n  trading-bot:bybitApiKey:\n    secure: v1:c2VjcmV0LWNpcGhlcnRleHQtb25lAAAA\n  trading-bot:secretKey:\n    secure: v1:c2VjcmV0LWNpcGhlcnRleHQtdHdvAAAA\n",
    );
    const folder = stackFolder("prod", withSecrets);
    const file = path.join(folder, "plan.json");
    const run = await planShared("prod", "-C", folder, "--json", file);
    assert.equal(run.status, 0, run.stderr);
    const everything = run.stdout + run.stderr + fs.readFileSync(file, "utf8");
    for (const secret of ["c2VjcmV0LWNpcGhlcnRleHQ", "placeholder-for-secret", "mock-random-"]) {
      assert.ok(!everything.includes(secret), `output holds ${secret}`);
    }
    assert.match(run.stdout, /^Stand-ins for secrets not set in Pulumi\.prod\.yaml: trading-bot:bybitSecretKey$/m);
  });

  it("compares staging with the stacks beside it: what it shares with prod and what it does not", async () => {
    const run = await planHere("--compare", "staging", "prod");
    assert.equal(run.status, 0, run.stderr);
    const row = (concern: string) => run.stdout.split("\n").find((line) => line.startsWith(`│ ${concern} `)) ?? "";
    assert.match(row("capacity"), /│ FARGATE weight 100 +│ FARGATE weight 100 +│ {3}│$/, "staging runs on-demand, like prod");
    assert.match(row("Bybit"), /│ testnet +│ live +│ ≠ │$/);
    assert.match(row("data sync"), /│ exports to dev; imports from prod +│ exports to dev, staging +│ ≠ │$/);
    // Long cells wrap onto a second line of the table.
    const lines = run.stdout.split("\n");
    const withNext = (concern: string) => lines.slice(lines.indexOf(row(concern)), lines.indexOf(row(concern)) + 2).join("\n");
    assert.match(withNext("cache"), /│ valkey cluster mode, 1 shard x 1 node +│ valkey cluster mode, 1 shard x 2 nodes +│ ≠ │\n│ +│ cache\.t4g\.micro +│ cache\.t4g\.small +│ {3}│/);
    assert.match(withNext("backups"), /\n│ +│ snapshots 1 day +│ snapshots 7 days +│ {3}│/);
    assert.doesNotMatch(run.stdout, /\(s\)/, "counts in words: 1 shard, 2 nodes, 2 alarms");
  });

  it("compares dev and prod side by side, marking the rows that differ", async () => {
    const run = await planHere("--compare", "dev", "prod");
    assert.equal(run.status, 0, run.stderr);
    const row = (concern: string) => run.stdout.split("\n").find((line) => line.startsWith(`│ ${concern} `)) ?? "";
    assert.match(row("tasks"), /│ 1 +│ 3 +│ ≠ │$/);
    assert.match(row("capacity"), /│ FARGATE_SPOT weight 100 +│ FARGATE weight 100 +│ ≠ │$/);
    assert.match(row("task size"), /│ 256 CPU \/ 512 MiB, X86_64 +│ 1024 CPU \/ 2048 MiB, X86_64 +│ ≠ │$/);
    assert.match(row("monthly cost"), /│ 7\.93 USD \(budget 15\) +│ 274\.88 USD \(budget 300\) +│ ≠ │$/);
    assert.match(row("data sync"), /│ imports from prod, staging +│ exports to dev, staging +│ ≠ │$/);
    const same = await planHere("--compare", "dev", "dev");
    assert.doesNotMatch(same.stdout, /≠ │/);
  });
});

/** A plan document as an earlier version wrote it (before `standIns`). */
const earlierPlan = {
  stack: "dev",
  project: "trading-bot",
  generatedBy: "trading-bot plan 0.0.9",
  resources: [],
  outputs: {},
  policy: { pack: "trading-bot-policies", version: "0.0.9", violations: [] },
  cost: { currency: "USD", monthlyTotal: 1, budget: 2, priceTable: { region: "us-east-1", date: "2026-01" }, items: [], notes: [] },
};

describe("npm run plan --json", () => {
  const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

  /** Targets the plan must not write, each made in a fresh folder; the file that must stay as it was. */
  const targets: [string, (folder: string) => { target: string; kept: string }, (target: string) => string][] = [
    ["the prod stack file", () => ({ target: "Pulumi.prod.yaml", kept: path.join(repoRoot, "Pulumi.prod.yaml") }),
      (target) => `plan: ${pulumiNameRefusal(target)}`],
    ["a hard link to a stack file", (folder) => {
      fs.copyFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), path.join(folder, "Pulumi.prod.yaml"));
      fs.linkSync(path.join(folder, "Pulumi.prod.yaml"), path.join(folder, "plan.json"));
      return { target: path.join(folder, "plan.json"), kept: path.join(folder, "Pulumi.prod.yaml") };
    }, (target) => `plan: --json ${target} exists and is not an earlier plan; the plan overwrites only its own output: give a new file name`],
    ["any other file", (folder) => {
      fs.writeFileSync(path.join(folder, "notes.txt"), "keep me\n");
      return { target: path.join(folder, "notes.txt"), kept: path.join(folder, "notes.txt") };
    }, (target) => `plan: --json ${target} exists and is not an earlier plan; the plan overwrites only its own output: give a new file name`],
    ["a symbolic link to an earlier plan", (folder) => {
      fs.writeFileSync(path.join(folder, "old.json"), JSON.stringify(earlierPlan));
      fs.symlinkSync("old.json", path.join(folder, "plan.json"));
      return { target: path.join(folder, "plan.json"), kept: path.join(folder, "old.json") };
    }, (target) => `plan: --json ${target} is a symbolic link; give the path of a new file or of an earlier plan`],
    ["a folder", (folder) => {
      fs.mkdirSync(path.join(folder, "plan.json"));
      return { target: path.join(folder, "plan.json"), kept: path.join(repoRoot, "Pulumi.dev.yaml") };
    }, (target) => `plan: --json ${target} exists and is not a file`],
  ];
  for (const [what, make, message] of targets) {
    it(`refuses to overwrite ${what} (exit 2, before any work), leaving it as it was`, async () => {
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), "plan-json-"));
      const { target, kept } = make(folder);
      const before = sha256(kept);
      const run = await planHere("dev", "--json", target);
      assert.equal(run.status, 2, run.stdout + run.stderr);
      assert.deepEqual(run.stderr.split("\n").filter(Boolean), [message(target)]);
      assert.equal(sha256(kept), before);
      assert.deepEqual(fs.readdirSync(folder).filter((name) => name.startsWith(".")), [], "no temporary file left");
    });
  }

  const pulumiNames = ["Pulumi.json", "Pulumi.yaml", "Pulumi.yml", "pulumi.JSON", "PULUMI.YAML", "Pulumi.qa.yaml", "pulumi.QA.YML", "Pulumi.dev.json", "Pulumi.x.y.yaml", "PulumiPolicy.yaml", "pulumiplugin.json"];
  it("refuses to create a file under any name the Pulumi CLI reads, in any case (nothing written)", () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "plan-json-"));
    for (const name of pulumiNames) {
      const file = path.join(folder, name);
      assert.throws(() => checkJsonTarget(file), (error: Error) => error instanceof PlanRefused && error.message === pulumiNameRefusal(file), name);
    }
    for (const name of ["plan.json", "Pulumi-plan.json", "pulumi.txt", "my.Pulumi.yaml.json"]) checkJsonTarget(path.join(folder, name));
    assert.deepEqual(fs.readdirSync(folder), []);
  });

  it("refuses a Pulumi file name before any work, exit 2 with one line", async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "plan-json-"));
    const run = await planHere("dev", "--json", path.join(folder, "Pulumi.json"));
    assert.equal(run.status, 2);
    assert.deepEqual(run.stderr.split("\n").filter(Boolean), [`plan: ${pulumiNameRefusal(path.join(folder, "Pulumi.json"))}`]);
    assert.deepEqual(fs.readdirSync(folder), []);
  });

  it("refuses a folder that does not exist, and one it cannot write in (exit 2, one line)", async () => {
    const missing = await planHere("dev", "--json", "/nonexistent-folder/plan.json");
    assert.equal(missing.status, 2);
    assert.deepEqual(missing.stderr.split("\n").filter(Boolean), ["plan: --json /nonexistent-folder/plan.json: the folder /nonexistent-folder does not exist"]);
    // /proc takes no new file, even from root.
    const unwritable = await planHere("dev", "--json", "/proc/plan.json");
    assert.equal(unwritable.status, 2);
    assert.deepEqual(unwritable.stderr.split("\n").filter(Boolean), ["plan: --json /proc/plan.json: cannot write in /proc (ENOENT)"]);
  });

  it("overwrites an earlier plan; plans network.fromStack with stand-in outputs and says so", async () => {
    const shared = committed("dev").replace(/trading-bot:network:\n(    .*\n)+/, "trading-bot:network:\n    fromStack: acme/network/shared\n    availabilityZoneCount: 2\n");
    const folder = stackFolder("dev", shared);
    const file = path.join(folder, "plan.json");
    fs.writeFileSync(file, JSON.stringify(earlierPlan));
    const run = await planInProcess("dev", "-C", folder, "--json", file);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Stand-ins for the outputs of acme\/network\/shared \(trading-bot:network\.fromStack; the offline plan reads no other stack\): vpcId, privateSubnetIds, publicSubnetIds$/m);
    const document = planDocumentSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
    assert.deepEqual(document.standIns, {
      secrets: ["trading-bot:bybitApiKey", "trading-bot:bybitSecretKey"],
      stackOutputs: [{ stack: "acme/network/shared", outputs: ["vpcId", "privateSubnetIds", "publicSubnetIds"] }],
    });
    assert.equal(document.outputs.vpcId, "vpc-stand-in");
    const service = document.resources.find((r) => r.type === "aws:ecs/service:Service")!;
    assert.deepEqual((service.inputs.networkConfiguration as { subnets: string[] }).subnets, ["subnet-stand-in-public-1", "subnet-stand-in-public-2"]);
    assert.equal(document.resources.filter((r) => r.type === "awsx:ec2:Vpc").length, 0);
    assert.deepEqual(fs.readdirSync(folder).sort(), ["Pulumi.dev.yaml", "plan.json"], "no temporary or probe file left");
    assertPackEnded(run);
  });
});

describe("npm run plan stops the policy pack's process", () => {
  it("when the program fails under mocks (exit 2, one line)", () => {
    // The schema and the components refuse the same values, so no stack file makes the
    // program itself throw: the plan's command runs here with a program that does.
    const script = `require("./tools/plan").main(["dev"], { projectRoot: process.cwd(), program: () => { throw new Error("the program broke"); } }).then((code) => process.exit(code));`;
    const result = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    const run = { status: result.status, stdout: result.stdout, stderr: result.stderr };
    assert.equal(run.status, 2, run.stdout + run.stderr);
    const lines = run.stderr.split("\n").filter((line) => line && !line.startsWith("plan: reading") && !line.startsWith("plan: starting") && !line.startsWith("plan: running"));
    assert.deepEqual(lines, ["plan: the program failed for dev under mocks: the program broke"]);
    assert.equal(run.stdout, "");
    assertPackEnded(run);
  });

  for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`on ${signal}, then exits ${status}`, async () => {
      const stopped = await planStopped(signal, "prod");
      assert.ok(stopped.pack > 0, stopped.stderr);
      assert.equal(stopped.status, status, stopped.stderr);
      assert.match(stopped.stderr, new RegExp(`^plan: stopped by ${signal}$`, "m"));
      assert.equal(isRunning(stopped.pack), false, "the policy pack outlived the plan");
      assert.deepEqual(strayPolicyPacks(), []);
    });
  }

  it("when the plan itself is killed (SIGKILL): the pack notices and ends", async () => {
    const stopped = await planStopped("SIGKILL", "prod");
    assert.ok(stopped.pack > 0, stopped.stderr);
    assert.equal(stopped.signal, "SIGKILL");
    // The pack notices between two steps of its own start: a bound, not a timing.
    const deadline = Date.now() + 120_000;
    while (isRunning(stopped.pack) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(isRunning(stopped.pack), false, "the policy pack outlived a killed plan");
    assert.deepEqual(strayPolicyPacks(), []);
  });
});

describe("the cost estimate", () => {
  it("prices dev to the cent, by hand", async () => {
    const dev = await runCommittedStack("dev");
    const cost = estimateCost(dev.resources, loadPriceTable("us-east-1", dataFolder), 15, { logIngestionGbPerMonth: 1, efsStorageGb: 1 });
    // Spot 0.25 vCPU x 730 h x 0.01289 = 2.35; 0.5 GB x 730 h x 0.001415 = 0.52; one public IPv4 730 h x 0.005 = 3.65;
    // EFS 1 GB x 0.30; one secret x 0.40; two alarms x 0.10; 1 GB of logs x 0.50.
    assert.deepEqual(
      cost.items.map((item) => [item.priceKey, item.quantity, item.monthlyUsd]),
      [
        ["fargate_spot.vcpu.hour", 182.5, 2.35],
        ["fargate_spot.gb.hour", 365, 0.52],
        ["public_ipv4.hour", 730, 3.65],
        ["efs.standard.gb.month", 1, 0.3],
        ["secretsmanager.secret.month", 1, 0.4],
        ["cloudwatch.alarm.standard.month", 1, 0.1],
        ["cloudwatch.alarm.standard.month", 1, 0.1],
        ["cloudwatch.logs.ingest.gb", 1, 0.5],
      ],
    );
    assert.equal(cost.monthlyTotal, 7.92);
  });

  it("notes usage it cannot price instead of guessing", async () => {
    const dev = await runCommittedStack("dev");
    const cost = estimateCost(dev.resources, loadPriceTable("us-east-1", dataFolder), 15, {});
    assert.deepEqual(cost.notes, [
      "one-off task runs are not priced: set trading-bot:budget.assumptions.dataSyncRunsPerMonth and dataSyncRunMinutes",
      "EFS storage is not priced: set trading-bot:budget.assumptions.efsStorageGb",
      "CloudWatch dashboards are priced as within the account's 3 free ones: set trading-bot:budget.assumptions.otherDashboardsInAccount",
      "log ingestion is not priced: set trading-bot:budget.assumptions.logIngestionGbPerMonth",
      "backup storage beyond the free allowance is not priced",
    ]);
    assert.equal(cost.monthlyTotal, 7.12);
  });

  it("prices Graviton (ARM64) tasks at the ARM64 rates of the price table", async () => {
    const table = loadPriceTable("us-east-1", dataFolder);
    const arm = await runStackText("prod", committed("prod").replace("    cpu: 1024\n", "    cpu: 1024\n    cpuArchitecture: ARM64\n"));
    const cost = estimateCost(arm.resources, table, 300, { logIngestionGbPerMonth: 5, natDataProcessedGbPerMonth: 10 });
    // 3 tasks x 1 vCPU x 730 h x 0.03238 = 70.91; 3 x 2 GB x 730 h x 0.00356 = 15.59.
    const fargate = cost.items.filter((item) => item.priceKey.startsWith("fargate"));
    assert.deepEqual(fargate.map((item) => [item.priceKey, item.quantity, item.monthlyUsd]), [
      ["fargate.arm64.vcpu.hour", 2190, 70.91],
      ["fargate.arm64.gb.hour", 4380, 15.59],
    ]);
    assert.equal(cost.monthlyTotal, 252.98, "21.62 USD less than on x86 (no data-sync or database-log assumptions given here)");
    const spot = await runStackText("dev", committed("dev").replace("    cpu: 256\n", "    cpu: 256\n    cpuArchitecture: ARM64\n"));
    const spotCost = estimateCost(spot.resources, table, 15, {});
    assert.deepEqual(spotCost.items.filter((item) => item.priceKey.startsWith("fargate")).map((item) => item.priceKey), ["fargate_spot.arm64.vcpu.hour", "fargate_spot.arm64.gb.hour"]);
  });

  it("splits tasks between providers: bases first, then by weight", () => {
    assert.deepEqual(tasksPerProvider(5, [{ capacityProvider: "FARGATE", weight: 1, base: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 3 }]), { FARGATE: 2, FARGATE_SPOT: 3 });
    assert.deepEqual(tasksPerProvider(3, []), { FARGATE: 3 });
    assert.deepEqual(tasksPerProvider(1, [{ capacityProvider: "FARGATE_SPOT", weight: 100 }]), { FARGATE_SPOT: 1 });
  });

  it("matches the totals docs/costs.md quotes", async () => {
    const readme = fs.readFileSync(path.join(repoRoot, "docs", "costs.md"), "utf8");
    for (const [stack, budget] of [["dev", 15], ["staging", 120], ["prod", 300]] as const) {
      const run = await runCommittedStack(stack);
      const settings = settingsOf(stack);
      const cost = estimateCost(run.resources, loadPriceTable("us-east-1", dataFolder), budget, settings.budget.assumptions);
      assert.ok(readme.includes(`| **total** | | **${cost.monthlyTotal.toFixed(2)}** (budget ${budget}) |`), `${stack} total ${cost.monthlyTotal}`);
    }
  });

  it("refuses a region it has no price table for", () => {
    assert.throws(() => loadPriceTable("ap-south-2", dataFolder), (error: unknown) => {
      assert.ok(error instanceof PriceTableError);
      assert.equal(error.message, "no price table for region ap-south-2: data/ has us-east-1");
      return true;
    });
  });
});
