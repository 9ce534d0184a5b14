// npm run plan -- <stack> [--json <file>]    preview a stack offline
// npm run plan -- --compare <stack> <stack>  the environment matrix side by side
import * as fs from "node:fs";
import * as path from "node:path";
import { styleText } from "node:util";
import Table from "cli-table3";
import { Command } from "commander";
import { StackConfigError, StackSettings, parseStackConfig, projectName } from "../../stacks/config";
import { CostEstimate, PriceTable, PriceTableError, estimateCost, loadPriceTable } from "./cost";
import { parseArguments } from "../common/cli";
import { matrixRows } from "./matrix";
import type { MockRunResult, RecordedResource } from "../engine/resource";
import type { Diagnostic } from "../engine/policyPack";
import { findProjectRoot } from "../common/projectRoot";
import { stackResourceOf } from "../engine/resource";
import { StackFile, StackFileError, readStackFile, withPlaceholderSecrets } from "../engine/stackFile";

// The Pulumi SDKs and the gRPC client load on demand (dynamic imports below), so the policy
// pack's process starts first and warms up while this one loads them.

const repoRoot = findProjectRoot();
const version: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;
// Beside this file: the TypeScript pack, or its JavaScript copy when run through tools/launch.js.
const packDirectory = path.resolve(__dirname, "..", "..", "policies");

/** Bad input: exit 2 with the message. */
class UsageError extends Error {}

// ---- output helpers: colour only on a terminal, progress on stderr ----

const paint = (format: Parameters<typeof styleText>[0], text: string) =>
  styleText(format, text, { validateStream: true, stream: process.stdout });

function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
  else process.stderr.write(`plan: ${message}\n`);
}
function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
}

// ---- loading ----

interface LoadedStack {
  file: StackFile;
  settings: StackSettings;
  /** Required secrets the file does not hold (set per machine), replaced by stand-ins. */
  standInSecrets: string[];
  /** Prices of the stack's region; loading it refuses an unpriced region before any work. */
  priceTable: PriceTable;
}

function loadStack(stack: string, directory: string): LoadedStack {
  progress(`reading Pulumi.${stack}.yaml`);
  const read = readStackFile(directory, stack);
  const file = withPlaceholderSecrets(read);
  const standInSecrets = file.secretKeys.filter((key) => !read.secretKeys.includes(key));
  const settings = parseStackConfig(stack, file.config, (key) => file.secretKeys.includes(key));
  return { file, settings, standInSecrets, priceTable: loadPriceTable(settings.region) };
}

async function runStack(loaded: LoadedStack): Promise<MockRunResult> {
  progress(`running the program for ${loaded.file.stack} under mocks`);
  const [{ runUnderMocks }, { tradingBotProgram }] = await Promise.all([import("../engine/mockRun"), import("../../stacks/program")]);
  return runUnderMocks(loaded.file, tradingBotProgram);
}

function costOf(loaded: LoadedStack, run: MockRunResult): CostEstimate {
  return estimateCost(run.resources, loaded.priceTable, loaded.settings.budget.monthlyUsd, loaded.settings.budget.assumptions);
}

/** What fails a plan: mandatory violations and a total over budget. */
function failures({ diagnostics, cost }: PlanResult): string[] {
  const mandatory = diagnostics.filter((d) => d.level === "mandatory").length;
  return [
    ...(mandatory > 0 ? [`${mandatory} mandatory policy violation(s)`] : []),
    ...(cost.monthlyTotal > cost.budget ? [`${cost.monthlyTotal.toFixed(2)} USD a month is over the ${cost.budget} USD budget`] : []),
  ];
}

// ---- the plan of one stack ----

interface PlanResult {
  run: MockRunResult;
  diagnostics: Diagnostic[];
  cost: CostEstimate;
  pack: { name: string; version: string };
}

async function planStack(stack: string, directory: string, jsonFile: string | undefined): Promise<number> {
  const loaded = loadStack(stack, directory);
  progress("starting the policy pack");
  const { PolicyPackProcess, analyzeResources } = await import("../engine/policyPack");
  const packStarting = PolicyPackProcess.start(packDirectory);
  // A failed pack start is reported below, after the program run, not as an unhandled rejection.
  packStarting.catch(() => undefined);
  let pack: Awaited<typeof packStarting> | undefined;
  try {
    const run = await runStack(loaded);
    pack = await packStarting;
    progress(`checking ${run.resources.length} resources against the policy pack`);
    const [info, diagnostics] = await Promise.all([pack.info(), analyzeResources(pack, [stackResourceOf(run.stack), ...run.resources])]);
    progress("pricing");
    const result: PlanResult = { run, diagnostics, cost: costOf(loaded, run), pack: { name: info.name, version: info.version } };
    progressDone();
    printPlan(loaded, result);
    if (jsonFile) {
      fs.writeFileSync(jsonFile, `${JSON.stringify(planDocument(result), null, 2)}\n`);
      console.log(`Wrote the plan to ${jsonFile}`);
    }
    return failures(result).length > 0 ? 1 : 0;
  } finally {
    pack?.stop();
  }
}

/** The JSON contract of `--json`: secrets written as "[secret]". */
function planDocument(result: PlanResult) {
  const { run, diagnostics, cost, pack } = result;
  const hide = (values: Record<string, unknown>, secrets: string[]) =>
    Object.fromEntries(Object.entries(values).map(([key, value]) => [key, secrets.includes(key) ? "[secret]" : value]));
  return {
    stack: run.stack,
    project: projectName,
    generatedBy: `trading-bot plan ${version}`,
    resources: [stackResourceOf(run.stack), ...run.resources].map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parentUrn,
      custom: r.custom,
      protect: r.protect,
      inputs: hide(r.inputs, r.secretInputs),
    })),
    outputs: hide(run.outputs, run.secretOutputs),
    policy: {
      pack: pack.name,
      version: pack.version,
      violations: diagnostics.map(({ policy, level, urn, message }) => ({ policy, level, urn, message })),
    },
    cost: {
      currency: cost.currency,
      monthlyTotal: cost.monthlyTotal,
      budget: cost.budget,
      priceTable: { region: cost.priceTable.region, date: cost.priceTable.date },
      items: cost.items.map(({ urn, component, quantity, unit, unitUsd, monthlyUsd }) => ({ urn, component, quantity, unit, unitUsd, monthlyUsd })),
      notes: cost.notes,
    },
  };
}

// ---- printing ----

/** The few inputs worth a glance, per type. */
const keyProperties: Record<string, (inputs: Record<string, any>) => string> = {
  "awsx:ec2:Vpc": (i) => `natGateways=${i.natGateways?.strategy} azs=${i.numberOfAvailabilityZones} cidr=${i.cidrBlock}`,
  "aws:ecs/cluster:Cluster": (i) => `containerInsights=${i.settings?.[0]?.value}`,
  "aws:ecs/service:Service": (i) =>
    `desired=${i.desiredCount} minHealthy=${i.deploymentMinimumHealthyPercent}% max=${i.deploymentMaximumPercent}% ` +
    `capacity=${(i.capacityProviderStrategies ?? []).map((s: { capacityProvider: string }) => s.capacityProvider).join("+")} publicIp=${i.networkConfiguration?.assignPublicIp}`,
  "aws:ecs/taskDefinition:TaskDefinition": (i) =>
    `cpu=${i.cpu} memory=${i.memory} containers=${(JSON.parse(i.containerDefinitions) as { name: string }[]).map((c) => c.name).join(",")}`,
  "aws:rds/instance:Instance": (i) => `${i.instanceClass} multiAz=${i.multiAz} backups=${i.backupRetentionPeriod}d deletionProtection=${i.deletionProtection}`,
  "aws:elasticache/replicationGroup:ReplicationGroup": (i) =>
    `${i.engine} ${i.nodeType} shards=${i.numNodeGroups} replicas=${i.replicasPerNodeGroup} multiAz=${i.multiAzEnabled}`,
  "aws:efs/fileSystem:FileSystem": (i) => `encrypted=${i.encrypted}`,
  "aws:efs/backupPolicy:BackupPolicy": (i) => `backups=${i.backupPolicy?.status}`,
  "aws:cloudwatch/logGroup:LogGroup": (i) => `retention=${i.retentionInDays}d`,
  "aws:cloudwatch/metricAlarm:MetricAlarm": (i) => `${i.name} ${i.comparisonOperator} ${i.threshold}`,
  "aws:s3/bucket:Bucket": (i) => `prefix=${i.bucketPrefix}`,
  "aws:secretsmanager/secret:Secret": (i) => `recoveryWindow=${i.recoveryWindowInDays}d`,
  "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": (i) => `name=${i.name}`,
};

function printPlan(loaded: LoadedStack, { run, diagnostics, cost, pack }: PlanResult): void {
  const { stack } = loaded.file;
  console.log(paint("bold", `${projectName} ${stack}: ${run.resources.length} resources (offline, under Pulumi's mocks)`));
  if (loaded.standInSecrets.length > 0) {
    console.log(`Stand-ins for secrets not set in Pulumi.${stack}.yaml: ${loaded.standInSecrets.join(", ")}`);
  }

  console.log(`\n${paint("bold", "Resources")}`);
  const root = stackResourceOf(run.stack);
  const children = new Map<string, RecordedResource[]>();
  for (const r of run.resources) children.set(r.parentUrn ?? "", [...(children.get(r.parentUrn ?? "") ?? []), r]);
  const print = (resource: RecordedResource, prefix: string, last: boolean, depth: number) => {
    const branch = depth === 0 ? "" : last ? "└─ " : "├─ ";
    const details = keyProperties[resource.type]?.(resource.inputs);
    const label = `${resource.type} ${paint("cyan", resource.name)}${resource.protect ? paint("yellow", " [protected]") : ""}`;
    console.log(`${prefix}${branch}${label}${details ? paint("dim", `  ${details}`) : ""}`);
    const kids = children.get(resource.urn) ?? [];
    const nextPrefix = depth === 0 ? "" : prefix + (last ? "   " : "│  ");
    kids.forEach((kid, index) => print(kid, nextPrefix, index === kids.length - 1, depth + 1));
  };
  print(root, "", true, 0);

  console.log(`\n${paint("bold", `Policies (${pack.name} ${pack.version})`)}`);
  if (diagnostics.length === 0) console.log(paint("green", "  no violations"));
  for (const level of ["mandatory", "advisory"] as const) {
    const found = diagnostics.filter((d) => d.level === level);
    if (found.length === 0) continue;
    console.log(paint(level === "mandatory" ? "red" : "yellow", `  ${level} (${found.length})`));
    for (const d of found) console.log(`    ${d.policy}: ${d.urn.split("::").pop()}: ${d.message}`);
  }

  console.log(`\n${paint("bold", `Monthly cost (${cost.currency}, ${cost.priceTable.region} list prices of ${cost.priceTable.date})`)}`);
  const table = new Table({
    head: ["component", "item", "quantity", "unit", "unit USD", "monthly USD"],
    colAligns: ["left", "left", "right", "left", "right", "right"],
    style: { head: process.stdout.isTTY ? ["cyan"] : [], border: process.stdout.isTTY ? ["grey"] : [], compact: true },
  });
  for (const item of cost.items) {
    table.push([item.component, item.what, String(item.quantity), item.unit, String(item.unitUsd), item.monthlyUsd.toFixed(2)]);
  }
  table.push([{ colSpan: 5, content: `total (budget ${cost.budget.toFixed(2)})` }, cost.monthlyTotal.toFixed(2)]);
  console.log(table.toString());
  for (const note of cost.notes) console.log(`  note: ${note}`);
  console.log(`  sources: ${cost.priceTable.sources.join("; ")}`);

  const failed = failures({ run, diagnostics, cost, pack });
  const verdict =
    failed.length > 0
      ? paint("red", `FAIL: ${failed.join("; ")}`)
      : paint("green", `OK: no mandatory violation; ${cost.monthlyTotal.toFixed(2)} USD a month within the ${cost.budget} USD budget`);
  console.log(`\n${verdict}`);
}

// ---- compare ----

async function compareStacks(stacks: string[], directory: string): Promise<number> {
  if (stacks.length !== 2) throw new UsageError(`--compare takes two stacks, e.g. --compare dev prod; got ${stacks.length}`);
  const loaded = stacks.map((stack) => loadStack(stack, directory));
  const matrices: ReturnType<typeof matrixRows>[] = [];
  for (const stack of loaded) {
    const run = await runStack(stack);
    const cost = costOf(stack, run);
    matrices.push(matrixRows(run, cost.monthlyTotal, cost.budget));
  }
  progressDone();
  const table = new Table({
    head: ["concern", ...stacks, ""],
    style: { head: process.stdout.isTTY ? ["cyan"] : [], border: process.stdout.isTTY ? ["grey"] : [], compact: true },
    wordWrap: true,
    colWidths: [22, 44, 44, 3],
  });
  matrices[0].forEach(({ concern, value }, index) => {
    const other = matrices[1][index].value;
    table.push([concern, value, other, value !== other ? paint("yellow", "≠") : ""]);
  });
  console.log(table.toString());
  console.log("≠ marks a row where the two stacks differ.");
  return 0;
}

// ---- command line ----

export async function main(argv: string[]): Promise<number> {
  const command = new Command("npm run plan --")
    .description("Preview a stack of this project offline: its resources, the policy pack's verdict and its monthly cost.")
    .argument("[stack]", "stack to plan: reads Pulumi.<stack>.yaml")
    .option("--json <file>", "also write the plan as JSON to <file>")
    .option("--compare <stacks...>", "show the environment matrix of two stacks side by side")
    .option("-C, --cwd <dir>", "read Pulumi.<stack>.yaml from <dir>, as pulumi --cwd does", repoRoot)
    .addHelpText(
      "after",
      "\nExit status: 0 when no mandatory policy is violated and the cost is within the stack's budget,\n" +
        "1 on a mandatory violation or a budget breach, 2 on bad config or a bad argument.\n\n" +
        "Examples:\n  npm run plan -- dev\n  npm run plan -- prod --json plan-prod.json\n  npm run plan -- --compare dev prod",
    );
  const stop = parseArguments(command, argv);
  if (stop !== undefined) return stop;
  const [stack] = command.args;
  const options = command.opts<{ json?: string; compare?: string[]; cwd: string }>();
  try {
    if (options.compare) {
      if (stack) throw new UsageError("give either a stack or --compare, not both");
      return await compareStacks(options.compare, options.cwd);
    }
    if (!stack) throw new UsageError("which stack? e.g. npm run plan -- dev (see --help)");
    return await planStack(stack, options.cwd, options.json);
  } catch (error) {
    progressDone();
    if (error instanceof StackConfigError) {
      for (const problem of error.problems) console.error(problem);
      return 2;
    }
    if (error instanceof UsageError || error instanceof StackFileError || error instanceof PriceTableError) {
      console.error(`plan: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

