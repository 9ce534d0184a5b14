// `npm run plan` end to end, in child processes, as a user runs it.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { PriceTableError, estimateCost, loadPriceTable, tasksPerProvider } from "../tools/plan/cost";
import { renderPlanSummary } from "../tools/plan/summary";
import { repoRoot, runCommittedStack, settingsOf } from "./helpers";

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

const committed = (stack: string) => fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8");

/** A folder holding one stack file, for `plan -C`. */
function stackFolder(stack: string, text: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
  fs.writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), text);
  return folder;
}

/** The plan's JSON contract. */
const planSchema = z.strictObject({
  stack: z.string(),
  project: z.literal("trading-bot"),
  generatedBy: z.string().regex(/^trading-bot plan \d+\.\d+\.\d+$/),
  resources: z.array(
    z.strictObject({
      urn: z.string().startsWith("urn:pulumi:"),
      type: z.string(),
      name: z.string(),
      parent: z.string().nullable(),
      custom: z.boolean(),
      protect: z.boolean(),
      inputs: z.record(z.string(), z.unknown()),
    }),
  ),
  outputs: z.record(z.string(), z.unknown()),
  policy: z.strictObject({
    pack: z.string(),
    version: z.string(),
    violations: z.array(
      z.strictObject({ policy: z.string(), level: z.enum(["mandatory", "advisory"]), urn: z.string(), message: z.string() }),
    ),
  }),
  cost: z.strictObject({
    currency: z.literal("USD"),
    monthlyTotal: z.number(),
    budget: z.number(),
    priceTable: z.strictObject({ region: z.string(), date: z.string() }),
    items: z.array(
      z.strictObject({
        urn: z.string(),
        component: z.string(),
        quantity: z.number(),
        unit: z.string(),
        unitUsd: z.number(),
        monthlyUsd: z.number(),
      }),
    ),
    notes: z.array(z.string()),
  }),
});

describe("npm run plan", () => {
  it("plans dev: resources, no policy violation, 7.92 USD within the 15 USD budget (exit 0)", () => {
    const run = plan("dev");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^trading-bot dev: 44 resources \(offline, under Pulumi's mocks\)$/m);
    assert.match(run.stdout, /^pulumi:pulumi:Stack trading-bot-dev$/m);
    assert.match(run.stdout, /^├─ trading-bot:infra:TradingBotService trading-bot$/m);
    assert.match(run.stdout, /aws:ecs\/service:Service trading-bot-service {2}desired=1 minHealthy=0% max=200% capacity=FARGATE_SPOT publicIp=true$/m);
    assert.match(run.stdout, /^Policies \(trading-bot-policies 0\.1\.0\)\n {2}no violations$/m);
    assert.match(run.stdout, /total \(budget 15\.00\) +│ +7\.92 │/);
    assert.match(run.stdout, /^OK: no mandatory violation; 7\.92 USD a month within the 15 USD budget$/m);
    assert.match(run.stderr, /^plan: checking 44 resources against the policy pack$/m, "progress on stderr");
    assert.doesNotMatch(run.stdout, /\x1b\[/, "no colour off a terminal");
  });

  it("writes prod's plan as JSON in the contract's shape, secrets as [secret]", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-json-")), "prod.json");
    const run = plan("prod", "--json", file);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Wrote the plan to ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    const document = planSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
    assert.equal(document.stack, "prod");
    assert.deepEqual(document.resources[0], {
      urn: "urn:pulumi:prod::trading-bot::pulumi:pulumi:Stack::trading-bot-prod",
      type: "pulumi:pulumi:Stack",
      name: "trading-bot-prod",
      parent: null,
      custom: false,
      protect: false,
      inputs: {},
    });
    assert.equal(document.resources.length, 52);
    const db = document.resources.find((r) => r.type === "aws:rds/instance:Instance")!;
    assert.equal(db.protect, true);
    assert.equal(db.inputs.password, "[secret]");
    assert.equal(db.parent, "urn:pulumi:prod::trading-bot::trading-bot:infra:PostgresDatabase::trading-bot-db");
    assert.equal(document.outputs.databaseUrl, "[secret]");
    assert.equal(document.outputs.cacheUrl, "[secret]");
    assert.equal(document.outputs.serviceDiscoveryName, "trading-bot.trading.internal");
    assert.deepEqual(document.policy, { pack: "trading-bot-policies", version: "0.1.0", violations: [] });
    assert.equal(document.cost.monthlyTotal, 275.2);
    assert.equal(document.cost.budget, 300);
    assert.deepEqual(document.cost.priceTable, { region: "us-east-1", date: "2026-11" });
    const nat = document.cost.items.find((item) => item.unit === "hour" && item.component === "Network trading-bot")!;
    assert.deepEqual(nat, { urn: nat.urn, component: "Network trading-bot", quantity: 1460, unit: "hour", unitUsd: 0.045, monthlyUsd: 65.7 });
    const sum = document.cost.items.reduce((total, item) => total + item.monthlyUsd, 0);
    assert.equal(Math.round(sum * 100) / 100, document.cost.monthlyTotal);

    // The preview workflow's pull-request comment, from this JSON.
    const summary = renderPlanSummary([file, path.join(path.dirname(file), "plan-dev.json")]);
    assert.ok(summary.includes("| prod | 52 | 0 | 0 | 275.20 | 300.00 | ✅ passes |"), summary);
    assert.ok(summary.includes("| plan-dev.json | | | | | | no plan: see the job log |"), summary);
    assert.ok(summary.includes("No policy findings."));
  });

  it("exits 1 over budget", () => {
    const run = plan("dev", "-C", stackFolder("dev", committed("dev").replace("monthlyUsd: 15", "monthlyUsd: 5")));
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^FAIL: 7\.92 USD a month is over the 5 USD budget$/m);
  });

  it("exits 1 on a mandatory policy violation, naming it", () => {
    const run = plan("prod", "-C", stackFolder("prod", committed("prod").replace("desiredCount: 3", "desiredCount: 1")));
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^ {2}mandatory \(1\)\n {4}ecs-service-desired-count: trading-bot-service: desiredCount is 1; production runs at least 2 tasks$/m);
    assert.match(run.stdout, /^FAIL: 1 mandatory policy violation\(s\)$/m);
  });

  it("exits 0 with an advisory only, listing it", () => {
    const folder = stackFolder(
      "dev",
      committed("dev")
        .replace("natGateways: None", "natGateways: OnePerAz")
        .replace("subnets: public\n    assignPublicIp: true", "subnets: private\n    assignPublicIp: false")
        .replace("monthlyUsd: 15", "monthlyUsd: 100"),
    );
    const run = plan("dev", "-C", folder);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^ {2}advisory \(1\)\n {4}non-production-nat-gateway-cost: trading-bot-vpc: natGateways\.strategy is OnePerAz;/m);
  });

  const refusals: [string, () => Run, string | RegExp][] = [
    ["a stack with no file", () => plan("nosuch"), `plan: Pulumi.nosuch.yaml does not exist in ${repoRoot}`],
    ["a stack name that is not one", () => plan("../dev"), 'plan: "../dev" is not a stack name: use letters, digits, -, _ and .'],
    ["YAML that does not parse", () => plan("broken", "-C", stackFolder("broken", "config:\n  trading-bot:app: [\n")), /^plan: Pulumi\.broken\.yaml line \d+: not valid YAML: /],
    ["a config value the schema refuses", () => plan("dev", "-C", stackFolder("dev", committed("dev").replace("cpu: 256", "cpu: 300"))),
      "Pulumi.dev.yaml: trading-bot:service.cpu is 300; Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384"],
    ["a region with no price table", () => plan("dev", "-C", stackFolder("dev", committed("dev").replace("aws:region: us-east-1", "aws:region: eu-west-1"))),
      "plan: no price table for region eu-west-1: data/ has us-east-1"],
    ["no stack", () => plan(), "plan: which stack? e.g. npm run plan -- dev (see --help)"],
    ["--compare with one stack", () => plan("--compare", "dev"), "plan: --compare takes two stacks, e.g. --compare dev prod; got 1"],
    ["an unknown option", () => plan("dev", "--bogus"), "error: unknown option '--bogus'"],
  ];
  for (const [what, run, expected] of refusals) {
    it(`exits 2 on ${what}, with one line`, () => {
      const result = run();
      assert.equal(result.status, 2, result.stdout + result.stderr);
      const lines = result.stderr.split("\n").filter((line) => line && !line.startsWith("plan: reading"));
      assert.equal(lines.length, 1, result.stderr);
      if (typeof expected === "string") assert.equal(lines[0], expected);
      else assert.match(lines[0], expected);
      assert.equal(result.stdout, "");
    });
  }

  it("lists every option and the exit statuses with --help (exit 0)", () => {
    const run = plan("--help");
    assert.equal(run.status, 0);
    for (const text of ["--json <file>", "--compare <stacks...>", "-C, --cwd <dir>", "-h, --help", "Exit status: 0", "npm run plan -- --compare dev prod"]) {
      assert.ok(run.stdout.includes(text), text);
    }
  });

  it("never prints a secret: neither a configured value nor a stand-in", () => {
    const withSecrets = committed("prod").replace(
      "config:\n",
      "config:\n  trading-bot:bybitApiKey:\n    secure: v1:c2VjcmV0LWNpcGhlcnRleHQtb25lAAAA\n  trading-bot:secretKey:\n    secure: v1:c2VjcmV0LWNpcGhlcnRleHQtdHdvAAAA\n",
    );
    const folder = stackFolder("prod", withSecrets);
    const file = path.join(folder, "plan.json");
    const run = plan("prod", "-C", folder, "--json", file);
    assert.equal(run.status, 0, run.stderr);
    const everything = run.stdout + run.stderr + fs.readFileSync(file, "utf8");
    for (const secret of ["c2VjcmV0LWNpcGhlcnRleHQ", "placeholder-for-secret", "mock-random-"]) {
      assert.ok(!everything.includes(secret), `output holds ${secret}`);
    }
    assert.match(run.stdout, /^Stand-ins for secrets not set in Pulumi\.prod\.yaml: trading-bot:bybitSecretKey$/m);
  });

  it("compares dev and prod side by side, marking the rows that differ", () => {
    const run = plan("--compare", "dev", "prod");
    assert.equal(run.status, 0, run.stderr);
    const row = (concern: string) => run.stdout.split("\n").find((line) => line.startsWith(`│ ${concern} `)) ?? "";
    assert.match(row("tasks"), /│ 1 +│ 3 +│ ≠ │$/);
    assert.match(row("capacity"), /│ FARGATE_SPOT weight 100 +│ FARGATE weight 100 +│ ≠ │$/);
    assert.match(row("task size"), /│ 256 CPU \/ 512 MiB +│ 1024 CPU \/ 2048 MiB +│ ≠ │$/);
    assert.match(row("monthly cost"), /│ 7\.92 USD \(budget 15\) +│ 275\.20 USD \(budget 300\) +│ ≠ │$/);
    const same = plan("--compare", "dev", "dev");
    assert.doesNotMatch(same.stdout, /≠ │/);
  });
});

describe("the cost estimate", () => {
  it("prices dev to the cent, by hand", async () => {
    const dev = await runCommittedStack("dev");
    const cost = estimateCost(dev.resources, loadPriceTable("us-east-1"), 15, { logIngestionGbPerMonth: 1, efsStorageGb: 1 });
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
    const cost = estimateCost(dev.resources, loadPriceTable("us-east-1"), 15, {});
    assert.deepEqual(cost.notes, [
      "EFS storage is not priced: set trading-bot:budget.assumptions.efsStorageGb",
      "log ingestion is not priced: set trading-bot:budget.assumptions.logIngestionGbPerMonth",
      "backup storage beyond the free allowance is not priced",
    ]);
    assert.equal(cost.monthlyTotal, 7.12);
  });

  it("splits tasks between providers: bases first, then by weight", () => {
    assert.deepEqual(tasksPerProvider(5, [{ capacityProvider: "FARGATE", weight: 1, base: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 3 }]), { FARGATE: 2, FARGATE_SPOT: 3 });
    assert.deepEqual(tasksPerProvider(3, []), { FARGATE: 3 });
    assert.deepEqual(tasksPerProvider(1, [{ capacityProvider: "FARGATE_SPOT", weight: 100 }]), { FARGATE_SPOT: 1 });
  });

  it("matches the totals the README quotes", async () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    for (const [stack, budget] of [["dev", 15], ["staging", 120], ["prod", 300]] as const) {
      const run = await runCommittedStack(stack);
      const settings = settingsOf(stack);
      const cost = estimateCost(run.resources, loadPriceTable("us-east-1"), budget, settings.budget.assumptions);
      assert.ok(readme.includes(`| **total** | | **${cost.monthlyTotal.toFixed(2)}** (budget ${budget}) |`), `${stack} total ${cost.monthlyTotal}`);
    }
  });

  it("refuses a region it has no price table for", () => {
    assert.throws(() => loadPriceTable("ap-south-2"), (error: unknown) => {
      assert.ok(error instanceof PriceTableError);
      assert.equal(error.message, "no price table for region ap-south-2: data/ has us-east-1");
      return true;
    });
  });
});
