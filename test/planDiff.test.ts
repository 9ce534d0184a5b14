// The offline diff of two plans (tools/plan/diff.ts), on pairs of real stack files: one
// program run under mocks per variant, shared by the tests that read it.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { replaceOnChange } from "../infra/replaceOnChange";
import type { MockRunResult } from "../tools/engine/resource";
import { changedInputs, diffPlans, isUntouched } from "../tools/plan/diff";
import { PlanDiff, PlanDocument, planDocumentSchema, planFailures } from "../tools/plan/document";
import { renderPlanSummary } from "../tools/plan/summary";
import { repoRoot } from "./helpers";
import { committedRun, committedText, documentOf, edited, stagingVariants as variants, variantRun } from "./planSupport";

const base = { source: "git HEAD^1 (1234567)", notes: [] };
const names = (list: { name: string }[]) => list.map((r) => r.name);
const properties = (diff: PlanDiff, name: string) => [...diff.resources.replaced, ...diff.resources.changed].find((r) => r.name === name)?.properties;

const staging = committedText("staging");

describe("the plan's diff against a base (tools/plan/diff.ts)", () => {
  let original: PlanDocument;
  const after: Record<string, PlanDocument> = {};
  const diffs: Record<string, PlanDiff> = {};
  before(async () => {
    original = documentOf("staging", staging, await committedRun("staging"));
    for (const name of ["cpu", "databaseName", "newAlarm", "noExport"] as const) {
      const text = variants[name];
      after[name] = documentOf("staging", text, await variantRun(name, "staging", text));
      diffs[name] = diffPlans(original, after[name], base);
    }
  });

  it("a changed CPU: the task definition is replaced (it cannot change in place), the service updated to its new revision", () => {
    const diff = diffs.cpu;
    assert.deepEqual(names(diff.resources.replaced), ["trading-bot-task"]);
    assert.deepEqual(properties(diff, "trading-bot-task"), [
      { name: "cpu", paths: [], replaces: true },
      { name: "memory", paths: [], replaces: true },
    ]);
    assert.deepEqual(names(diff.resources.changed), ["trading-bot-service"]);
    assert.deepEqual(properties(diff, "trading-bot-service"), [{ name: "taskDefinition", paths: [], replaces: false, fromReplaced: "trading-bot-task" }]);
    assert.deepEqual([diff.resources.added, diff.resources.removed], [[], []]);
    assert.equal(diff.resources.unchanged, original.resources.length - 1 - 2);
  });

  it("a cost increase over the budget: 0.5 more vCPU and 1 GB more for two tasks, per component", () => {
    const { cost } = diffs.cpu;
    // 2 tasks x 0.5 vCPU x 730 h x 0.04048 = 29.55; 2 x 1 GB x 730 h x 0.004445 = 6.49.
    assert.deepEqual([cost.beforeUsd, cost.afterUsd, cost.deltaUsd, cost.budgetUsd], [98.24, 134.28, 36.04, 120]);
    assert.deepEqual(cost.components[0], { component: "TradingBotService trading-bot", beforeUsd: 37.04, afterUsd: 73.08, deltaUsd: 36.04 });
    assert.ok(cost.components.slice(1).every((c) => c.deltaUsd === 0));
    assert.deepEqual(planFailures(after.cpu.policy.violations, after.cpu.cost), ["134.28 USD a month is over the 120 USD budget"]);
  });

  it("a change that replaces the database: its name cannot change in place, and what reads the new instance follows", () => {
    const diff = diffs.databaseName;
    assert.deepEqual(names(diff.resources.replaced), ["trading-bot-db-final-snapshot-suffix", "trading-bot-db-instance", "trading-bot-task", "trading-bot-data-sync-task", "trading-bot-secrets"]);
    assert.deepEqual(properties(diff, "trading-bot-db-instance"), [
      { name: "dbName", paths: [], replaces: true },
      { name: "finalSnapshotIdentifier", paths: [], replaces: false, fromReplaced: "trading-bot-db-final-snapshot-suffix" },
    ]);
    assert.deepEqual(properties(diff, "trading-bot-db-final-snapshot-suffix"), [{ name: "keepers", paths: [".dbName"], replaces: true }]);
    // The secret holds DATABASE_URL: a new instance makes a new secret version.
    assert.deepEqual(properties(diff, "trading-bot-secrets"), [{ name: "secretString", paths: [], replaces: true, fromReplaced: "trading-bot-db-instance" }]);
    assert.deepEqual(names(diff.resources.changed), ["trading-bot-service", "trading-bot-dashboard-dashboard"]);
    assert.equal(diff.cost.deltaUsd, 0);
  });

  it("a new alarm: added, priced, and shown on the dashboard", () => {
    const diff = diffs.newAlarm;
    assert.deepEqual(diff.resources.added, [
      {
        urn: "urn:pulumi:staging::trading-bot::trading-bot:infra:Alerts$aws:cloudwatch/metricAlarm:MetricAlarm::trading-bot-alerts-HighMemoryUsage",
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        name: "trading-bot-alerts-HighMemoryUsage",
        topLevel: "urn:pulumi:staging::trading-bot::trading-bot:infra:Alerts::trading-bot-alerts",
      },
    ]);
    assert.deepEqual(properties(diff, "trading-bot-dashboard-dashboard"), [{ name: "dashboardBody", paths: [".widgets[13].properties.alarms[4]"], replaces: false }]);
    assert.deepEqual([diff.cost.deltaUsd, diff.cost.components[0].component], [0.1, "Alerts trading-bot-alerts"]);
  });

  it("a removed bucket: the exports bucket and everything that locks it down, when staging stops exporting", () => {
    const removed = diffs.noExport.resources.removed;
    const bucket = removed.find((r) => r.type === "aws:s3/bucket:Bucket");
    assert.equal(bucket?.topLevel, "urn:pulumi:staging::trading-bot::trading-bot:infra:DataSync::trading-bot-data-sync");
    assert.deepEqual(removed.map((r) => r.type).filter((type) => type.startsWith("aws:s3/")).sort(), [
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
      "aws:s3/bucketPolicy:BucketPolicy",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ]);
    // The anonymisation key is generated only where the stack exports.
    assert.ok(removed.some((r) => r.name === "trading-bot-secrets-data-sync-key"));
    assert.equal(diffs.noExport.cost.deltaUsd, -0.02);
  });

  it("a changed secret: the key is named, its value never appears (the plans hold fingerprints of the secure: texts)", async () => {
    const secretA = "v1:AAAAbbbbCCCCdddd:eeeeFFFFggggHHHH";
    const secretB = "v1:ZZZZyyyyXXXXwwww:vvvvUUUUttttSSSS";
    const withSecret = (ciphertext: string) => edited(staging, ["  trading-bot:environment: staging\n", `  trading-bot:environment: staging\n  trading-bot:bybitApiKey:\n    secure: ${ciphertext}\n`]);
    // The program sees a stand-in for any secret: one run serves both files.
    const run = await committedRun("staging");
    const [was, is] = [documentOf("staging", withSecret(secretA), run), documentOf("staging", withSecret(secretB), run)];
    const diff = diffPlans(was, is, base);
    assert.deepEqual(diff.secrets, [{ key: "trading-bot:bybitApiKey", change: "changed" }]);
    assert.equal(diff.resources.replaced.length + diff.resources.changed.length, 0);
    assert.deepEqual(diffPlans(original, is, base).secrets, [{ key: "trading-bot:bybitApiKey", change: "added" }]);
    const written = JSON.stringify({ ...is, diff }) + renderPlanSummary([fileWith({ ...is, diff })]);
    for (const leak of [secretA, secretB, "AAAAbbbb", "ZZZZyyyy", "placeholder-for-secret"]) assert.ok(!written.includes(leak), `the plan or the comment shows ${leak}`);
    assert.match(renderPlanSummary([fileWith({ ...is, diff })]), /^- secret `trading-bot:bybitApiKey` changed \(its value is never shown\)$/m);
  });

  it("policy verdicts that appear and disappear: a verdict is a policy failing for a resource at a level", () => {
    const urn = after.cpu.resources.find((r) => r.name === "trading-bot-task")!.urn;
    const verdict = (policy: string, level: "mandatory" | "advisory", message: string) => ({ policy, level, urn, message });
    const was = { ...original, policy: { ...original.policy, violations: [verdict("gone", "advisory", "x"), verdict("kept", "mandatory", "cpu is 512")] } };
    const is = { ...after.cpu, policy: { ...after.cpu.policy, violations: [verdict("kept", "mandatory", "cpu is 1024"), verdict("new", "mandatory", "y")] } };
    assert.deepEqual(diffPlans(was, is, base).policy, { appeared: [verdict("new", "mandatory", "y")], disappeared: [verdict("gone", "advisory", "x")] });
  });

  it("an untouched stack: nothing to report, every resource counted unchanged", () => {
    const diff = diffPlans(original, original, base);
    assert.ok(isUntouched(diff));
    assert.equal(diff.resources.unchanged, original.resources.length - 1);
    assert.ok(!isUntouched(diffs.cpu) && !isUntouched(diffs.noExport));
  });

  it("a stack the base does not have: everything added, priced from zero", () => {
    const diff = diffPlans(undefined, after.cpu, { source: "git main (1234567)", notes: ["Pulumi.staging.yaml does not exist at main: every resource is new"] });
    assert.equal(diff.resources.added.length, after.cpu.resources.length - 1);
    assert.deepEqual([diff.cost.beforeUsd, diff.cost.afterUsd, diff.base.generatedBy], [0, 134.28, "none"]);
  });

  it("reads a plan written before diffs existed (test/fixtures/plan/plan-dev-0.1.0.json) and compares with it", async () => {
    const old = planDocumentSchema.parse(JSON.parse(fs.readFileSync(path.join(repoRoot, "test/fixtures/plan/plan-dev-0.1.0.json"), "utf8")));
    assert.equal(old.secureFingerprints, undefined);
    assert.deepEqual(old.resources[1].dependencies, []);
    const now = documentOf("dev", committedText("dev"), await committedRun("dev"));
    const diff = diffPlans(old, now, { source: "file plan-dev-0.1.0.json", notes: [] });
    assert.deepEqual(names(diff.resources.added), ["trading-bot-account", "trading-bot-dashboard", "trading-bot-dashboard-dashboard"]);
    assert.deepEqual([diff.resources.removed, diff.secrets], [[], []]);
    // Since 0.1.0 the stack runs in the account its file names and its roles carry a boundary:
    // ARNs in roles, policies and task definitions moved, each a resource both plans hold.
    const urns = new Set(old.resources.map((resource) => resource.urn));
    for (const resource of [...diff.resources.replaced, ...diff.resources.changed]) assert.ok(urns.has(resource.urn), resource.urn);
    assert.deepEqual(diff.notes, ["secrets not compared: the base plan was written before plans held fingerprints of the stack file's secure: texts"]);
  });

  describe("which inputs changed, and where inside them", () => {
    it("names containers and variables of a container definition's JSON text by their names", () => {
      const container = (level: string) => JSON.stringify([{ name: "trading-bot", environment: [{ name: "LOG_LEVEL", value: level }, { name: "API_PORT", value: "8080" }] }, { name: "redis" }]);
      assert.deepEqual(changedInputs({ containerDefinitions: container("INFO") }, { containerDefinitions: container("DEBUG") }), [
        { name: "containerDefinitions", paths: ["[trading-bot].environment[LOG_LEVEL].value"] },
      ]);
    });

    it("takes key order for no change, and lists items without names by position", () => {
      assert.deepEqual(changedInputs({ a: { x: 1, y: 2 }, b: [1, 2] }, { a: { y: 2, x: 1 }, b: [1, 3] }), [{ name: "b", paths: ["[1]"] }]);
    });

    it("reports an input that appears or disappears, and caps the places it names", () => {
      const many = (value: number) => Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, value]));
      assert.deepEqual(changedInputs({ gone: 1, list: many(1) }, { added: 2, list: many(2) }), [
        { name: "added", paths: [] },
        { name: "gone", paths: [] },
        { name: "list", paths: [".k0", ".k1", ".k2", ".k3", "(2 more)"] },
      ]);
    });
  });
});

describe("the replace-on-change table (infra/replaceOnChange.ts)", () => {
  const runs: MockRunResult[] = [];
  before(async () => {
    for (const stack of ["dev", "staging", "prod"]) runs.push(await committedRun(stack));
  });

  it("covers every resource type a stack registers (components and the stack aside)", () => {
    const types = new Set(runs.flatMap((run) => run.resources.filter((r) => r.custom || r.type.startsWith("awsx:")).map((r) => r.type)));
    const missing = [...types].filter((type) => !replaceOnChange[type]);
    assert.deepEqual(missing, []);
  });

  it("names only inputs the type has, as the SDK's typings spell them", () => {
    for (const [type, entry] of Object.entries(replaceOnChange)) {
      const inputs = argsOf(type);
      for (const property of entry.properties) assert.ok(inputs.includes(property), `${type} has no input ${property}`);
    }
  });

  it("still says, where the SDK's documentation does, that those inputs force a new resource", () => {
    const documented = Object.entries(replaceOnChange).filter(([, entry]) => "documented" in entry.evidence);
    assert.ok(documented.length > 0);
    for (const [type] of documented) assert.match(typings(type), /"forces new" the security group/, type);
  });
});

/** The .d.ts of a resource type's class, e.g. node_modules/@pulumi/aws/ec2/securityGroup.d.ts. */
function typings(type: string): string {
  const [pkg, module, name] = type.split(":");
  const [folder, file] = module.includes("/") ? module.split("/") : [module, name.charAt(0).toLowerCase() + name.slice(1)];
  const relative = pkg === "random" ? `${name.charAt(0).toLowerCase()}${name.slice(1)}.d.ts` : `${folder}/${file}.d.ts`;
  return fs.readFileSync(path.join(repoRoot, "node_modules", `@pulumi/${pkg}`, relative), "utf8");
}

/** The input names of `<Name>Args` in the type's typings. */
function argsOf(type: string): string[] {
  const name = type.split(":").pop()!;
  const body = new RegExp(`export interface ${name}Args \\{([\\s\\S]*?)\\n\\}`).exec(typings(type))?.[1] ?? "";
  return [...body.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]);
}

let fileCount = 0;
/** A plan document in a file of its own, for the comment. */
function fileWith(document: PlanDocument): string {
  const file = path.join(fs.mkdtempSync(path.join(require("node:os").tmpdir(), "plan-doc-")), `plan-${++fileCount}.json`);
  fs.writeFileSync(file, JSON.stringify(document));
  return file;
}
