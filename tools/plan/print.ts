// The plan as a person reads it: the resources as a tree, the policy verdict, the cost table.
import Table from "cli-table3";
import { projectName } from "../../stacks/config";
import type { RecordedResource } from "../engine/resource";
import { stackResourceOf } from "../engine/resource";
import type { CostEstimate } from "./cost";
import { PlanDiff, planFailures, violationSubject } from "./document";
import { costLine, countsLine, propertyDetail, propertyNames } from "./diffText";
import type { LoadedStack } from "./load";
import { paint, tableStyle } from "./output";
import type { PlanResult } from "./run";

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
  "aws:s3/bucket:Bucket": (i) => (i.bucket ? `bucket=${i.bucket}` : `prefix=${i.bucketPrefix}`),
  "aws:secretsmanager/secret:Secret": (i) => `recoveryWindow=${i.recoveryWindowInDays}d`,
  "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": (i) => `name=${i.name}`,
};

export function printPlan(result: PlanResult): void {
  const { loaded, run } = result;
  console.log(paint("bold", `${projectName} ${loaded.file.stack}: ${run.resources.length} resources (offline, under Pulumi's mocks)`));
  printStandIns(loaded);
  console.log(`\n${paint("bold", "Resources")}`);
  printTree(run.stack, run.resources);
  printPolicies(result);
  printCost(result.cost);
  const failed = planFailures(result.diagnostics, result.cost);
  const { monthlyTotal, budget } = result.cost;
  const verdict =
    failed.length > 0
      ? paint("red", `FAIL: ${failed.join("; ")}`)
      : paint("green", `OK: no mandatory violation; ${monthlyTotal.toFixed(2)} USD a month within the ${budget} USD budget`);
  console.log(`\n${verdict}`);
}

/** What the offline plan made up, said where the reader sees it first. */
function printStandIns(loaded: LoadedStack): void {
  const { stack } = loaded.file;
  if (loaded.standInSecrets.length > 0) {
    console.log(`Stand-ins for secrets not set in Pulumi.${stack}.yaml: ${loaded.standInSecrets.join(", ")}`);
  }
  for (const line of stackOutputNotes(loaded)) console.log(line);
}

export function stackOutputNotes(loaded: LoadedStack): string[] {
  return loaded.standInStackOutputs.map(
    ({ stack, outputs }) =>
      `Stand-ins for the outputs of ${stack} (trading-bot:network.fromStack; the offline plan reads no other stack): ${Object.keys(outputs).join(", ")}`,
  );
}

function printTree(stack: string, resources: RecordedResource[]): void {
  const children = new Map<string, RecordedResource[]>();
  for (const r of resources) children.set(r.parentUrn ?? "", [...(children.get(r.parentUrn ?? "") ?? []), r]);
  const print = (resource: RecordedResource, prefix: string, last: boolean, depth: number) => {
    const branch = depth === 0 ? "" : last ? "└─ " : "├─ ";
    const details = keyProperties[resource.type]?.(resource.inputs);
    const label = `${resource.type} ${paint("cyan", resource.name)}${resource.protect ? paint("yellow", " [protected]") : ""}`;
    console.log(`${prefix}${branch}${label}${details ? paint("dim", `  ${details}`) : ""}`);
    const kids = children.get(resource.urn) ?? [];
    const nextPrefix = depth === 0 ? "" : prefix + (last ? "   " : "│  ");
    kids.forEach((kid, index) => print(kid, nextPrefix, index === kids.length - 1, depth + 1));
  };
  print(stackResourceOf(stack), "", true, 0);
}

function printPolicies({ diagnostics, pack }: PlanResult): void {
  console.log(`\n${paint("bold", `Policies (${pack.name} ${pack.version})`)}`);
  if (diagnostics.length === 0) console.log(paint("green", "  no violations"));
  for (const level of ["mandatory", "advisory"] as const) {
    const found = diagnostics.filter((d) => d.level === level);
    if (found.length === 0) continue;
    console.log(paint(level === "mandatory" ? "red" : "yellow", `  ${level} (${found.length})`));
    for (const d of found) console.log(`    ${d.policy}: ${violationSubject(d.urn)}: ${d.message}`);
  }
}

function printCost(cost: CostEstimate): void {
  console.log(`\n${paint("bold", `Monthly cost (${cost.currency}, ${cost.priceTable.region} list prices of ${cost.priceTable.date})`)}`);
  const table = new Table({
    head: ["component", "item", "quantity", "unit", "unit USD", "monthly USD"],
    colAligns: ["left", "left", "right", "left", "right", "right"],
    style: tableStyle(),
  });
  for (const item of cost.items) {
    table.push([item.component, item.what, String(item.quantity), item.unit, String(item.unitUsd), item.monthlyUsd.toFixed(2)]);
  }
  table.push([{ colSpan: 5, content: `total (budget ${cost.budget.toFixed(2)})` }, cost.monthlyTotal.toFixed(2)]);
  console.log(table.toString());
  for (const note of cost.notes) console.log(`  note: ${note}`);
  console.log(`  sources: ${cost.priceTable.sources.join("; ")}`);
}

/** What the change does, against the base: counts, each resource with its changed inputs, secrets, policy verdicts, cost. */
export function printDiff(diff: PlanDiff): void {
  console.log(`\n${paint("bold", `Against ${diff.base.source}`)}: ${countsLine(diff)}`);
  const { added, removed, replaced, changed } = diff.resources;
  for (const r of replaced) {
    const { forcing } = propertyNames(r);
    console.log(`  ${paint("red", "± replace")} ${r.type} ${r.name}: ${r.properties.map(propertyDetail).join("; ")}${paint("dim", `  (${forcing.join(", ")} cannot change in place)`)}`);
  }
  for (const r of changed) console.log(`  ${paint("yellow", "~ update")}  ${r.type} ${r.name}: ${r.properties.map(propertyDetail).join("; ")}`);
  for (const r of added) console.log(`  ${paint("green", "+ add")}     ${r.type} ${r.name}`);
  for (const r of removed) console.log(`  ${paint("red", "- remove")}  ${r.type} ${r.name}`);
  for (const s of diff.secrets) console.log(`  secret ${s.change}: ${s.key} (its value is never shown)`);
  for (const v of diff.policy.appeared) console.log(`  ${paint(v.level === "mandatory" ? "red" : "yellow", `policy now fails (${v.level})`)}: ${v.policy} on ${violationSubject(v.urn)}`);
  for (const v of diff.policy.disappeared) console.log(`  ${paint("green", `policy now passes (was ${v.level})`)}: ${v.policy} on ${violationSubject(v.urn)}`);
  console.log(`  cost: ${costLine(diff)}`);
  for (const note of diff.notes) console.log(`  note: ${note}`);
}
