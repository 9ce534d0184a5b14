// Monthly cost of a stack from its resources (as the program registers them) and the
// project's pinned price table. Usage the resources cannot tell comes from
// trading-bot:budget.assumptions, or is priced at zero with a note.
import * as fs from "node:fs";
import * as path from "node:path";
import type { RecordedResource } from "../engine/resource";

export interface PriceTable {
  region: string;
  currency: string;
  date: string;
  hoursPerMonth: number;
  sources: Record<string, string>;
  /** `freePerAccount`: units an account gets free each month (e.g. 3 dashboards), whoever uses them. */
  prices: { key: string; unit: string; usd: number; source: string; freePerAccount?: number }[];
}

export interface CostItem {
  urn: string;
  /** The top-level component the resource belongs to, e.g. `TradingBotService trading-bot`. */
  component: string;
  /** What is priced, e.g. `Fargate vCPU`. */
  what: string;
  /** Units a month. */
  quantity: number;
  unit: string;
  unitUsd: number;
  monthlyUsd: number;
  /** The price table key. */
  priceKey: string;
}

export interface CostEstimate {
  currency: string;
  monthlyTotal: number;
  budget: number;
  priceTable: { region: string; date: string; sources: string[] };
  items: CostItem[];
  notes: string[];
}

export interface UsageAssumptions {
  logIngestionGbPerMonth?: number;
  natDataProcessedGbPerMonth?: number;
  efsStorageGb?: number;
  dataSyncExportStorageGb?: number;
  dataSyncRunsPerMonth?: number;
  dataSyncRunMinutes?: number;
  otherDashboardsInAccount?: number;
  databaseLogGbPerMonth?: number;
}

export class PriceTableError extends Error {}

/** The pinned price table of a region, from `directory` (the project's data/); refuses a region it has none for. */
export function loadPriceTable(region: string, directory: string): PriceTable {
  const file = path.join(directory, `aws-prices-${region}.json`);
  if (!/^[a-z0-9-]+$/.test(region) || !fs.existsSync(file)) {
    const known = fs
      .readdirSync(directory)
      .map((name) => /^aws-prices-(.+)\.json$/.exec(name)?.[1])
      .filter(Boolean);
    throw new PriceTableError(`no price table for region ${region}: ${path.basename(directory)}/ has ${known.join(", ")}`);
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as PriceTable;
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

/** What each pricing step works with: the resources, the table, and where items and notes go. */
interface Pricing {
  resources: RecordedResource[];
  ofType(type: string): RecordedResource[];
  hours: number;
  assumptions: UsageAssumptions;
  /** Adds `quantity` units of price `key` a month for `resource` (nothing for zero). */
  add(resource: RecordedResource, what: string, key: string, quantity: number): void;
  /** The price table's entry for `key`. */
  price(key: string): PriceTable["prices"][number];
  notes: string[];
}

export function estimateCost(
  resources: RecordedResource[],
  table: PriceTable,
  budgetUsd: number,
  assumptions: UsageAssumptions,
): CostEstimate {
  const items: CostItem[] = [];
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const price = (key: string) => {
    const entry = table.prices.find((p) => p.key === key);
    if (!entry) throw new PriceTableError(`the ${table.region} price table has no entry ${key}`);
    return entry;
  };
  const pricing: Pricing = {
    resources,
    ofType: (type) => resources.filter((r) => r.type === type),
    hours: table.hoursPerMonth,
    assumptions,
    notes: [],
    price,
    add: (resource, what, key, quantity) => {
      if (quantity <= 0) return;
      const { unit, usd } = price(key);
      const component = componentOf(resource, byUrn);
      items.push({ urn: resource.urn, component, what, quantity: Math.round(quantity * 1000) / 1000, unit, unitUsd: usd, monthlyUsd: cents(quantity * usd), priceKey: key });
    },
  };
  for (const step of [priceServices, priceOneOffTasks, priceDatabases, priceCaches, priceNetworks, priceFileSystems, priceExports, priceSecretsAndAlarms, priceDashboards, priceLogs, unpricedNotes]) {
    step(pricing);
  }
  const monthlyTotal = cents(items.reduce((sum, item) => sum + item.monthlyUsd, 0));
  const sources = [...new Set(items.flatMap((item) => price(item.priceKey).source.split(",")))].map((id) => (table.sources[id] ? `${id}: ${table.sources[id]}` : id));
  return { currency: table.currency, monthlyTotal, budget: budgetUsd, priceTable: { region: table.region, date: table.date, sources }, items, notes: pricing.notes };
}

/** Fargate: each task's vCPU and GB for every hour, on the provider the strategy puts it on; public IPs; Cloud Map. */
function priceServices({ ofType, hours, add }: Pricing): void {
  for (const service of ofType("aws:ecs/service:Service")) {
    const task = ofType("aws:ecs/taskDefinition:TaskDefinition").find((r) => r.state.arn === service.inputs.taskDefinition);
    if (!task) continue;
    const vcpu = Number(task.inputs.cpu) / 1024;
    const gb = Number(task.inputs.memory) / 1024;
    const desired = Number(service.inputs.desiredCount ?? 0);
    const strategy = (service.inputs.capacityProviderStrategies ?? []) as { capacityProvider: string; weight: number; base?: number }[];
    // Graviton (ARM64) has its own, lower prices; x86 is Fargate's default.
    const arm = (task.inputs.runtimePlatform as { cpuArchitecture?: string } | undefined)?.cpuArchitecture === "ARM64";
    for (const [provider, count] of Object.entries(tasksPerProvider(desired, strategy))) {
      const prefix = `${provider === "FARGATE_SPOT" ? "fargate_spot" : "fargate"}${arm ? ".arm64" : ""}`;
      const label = `${provider === "FARGATE_SPOT" ? "Fargate Spot" : "Fargate"}${arm ? " ARM64" : ""}`;
      add(service, `${label} vCPU (${count} task(s) x ${vcpu})`, `${prefix}.vcpu.hour`, count * vcpu * hours);
      add(service, `${label} memory (${count} task(s) x ${gb} GB)`, `${prefix}.gb.hour`, count * gb * hours);
    }
    const network = service.inputs.networkConfiguration as { assignPublicIp?: boolean } | undefined;
    if (network?.assignPublicIp) add(service, `public IPv4 of ${desired} task(s)`, "public_ipv4.hour", desired * hours);
    const registry = service.inputs.serviceRegistries as { registryArn?: string } | undefined;
    const discovery = registry && ofType("aws:servicediscovery/service:Service").find((r) => r.state.arn === registry.registryArn);
    if (discovery) add(discovery, `Cloud Map instances (${desired} task(s))`, "cloudmap.instance.month", desired);
  }
  for (const namespace of ofType("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")) {
    add(namespace, "private hosted zone of the namespace", "route53.private_zone.month", 1);
  }
}

/**
 * A task definition no service runs is a one-off task (the data syncs), started by hand on
 * on-demand Fargate: priced per run from the assumed runs a month and minutes a run.
 */
function priceOneOffTasks({ ofType, assumptions, add, notes }: Pricing): void {
  const runByServices = new Set(ofType("aws:ecs/service:Service").map((service) => service.inputs.taskDefinition));
  for (const task of ofType("aws:ecs/taskDefinition:TaskDefinition").filter((t) => !runByServices.has(t.state.arn))) {
    const { dataSyncRunsPerMonth: runs, dataSyncRunMinutes: minutes } = assumptions;
    if (runs === undefined || minutes === undefined) {
      notes.push("one-off task runs are not priced: set trading-bot:budget.assumptions.dataSyncRunsPerMonth and dataSyncRunMinutes");
      continue;
    }
    const hours = (runs * minutes) / 60;
    const arm = (task.inputs.runtimePlatform as { cpuArchitecture?: string } | undefined)?.cpuArchitecture === "ARM64";
    const prefix = `fargate${arm ? ".arm64" : ""}`;
    add(task, `one-off task runs (${runs} x ${minutes} min) x ${Number(task.inputs.cpu) / 1024} vCPU (assumed)`, `${prefix}.vcpu.hour`, hours * (Number(task.inputs.cpu) / 1024));
    add(task, `one-off task runs (${runs} x ${minutes} min) x ${Number(task.inputs.memory) / 1024} GB (assumed)`, `${prefix}.gb.hour`, hours * (Number(task.inputs.memory) / 1024));
  }
}

/** The data syncs' exports bucket: what it keeps until its objects expire (assumed). */
function priceExports({ resources, ofType, assumptions, add, notes }: Pricing): void {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const underDataSync = (resource: RecordedResource) => ancestors(resource, byUrn).some((a) => a.type === "trading-bot:infra:DataSync");
  for (const bucket of ofType("aws:s3/bucket:Bucket").filter(underDataSync)) {
    if (assumptions.dataSyncExportStorageGb === undefined) notes.push("the exports bucket's storage is not priced: set trading-bot:budget.assumptions.dataSyncExportStorageGb");
    else add(bucket, "S3 storage of the exports (assumed)", "s3.standard.gb.month", assumptions.dataSyncExportStorageGb);
  }
}

function priceDatabases({ ofType, hours, add }: Pricing): void {
  for (const db of ofType("aws:rds/instance:Instance")) {
    const layout = db.inputs.multiAz ? "multi_az" : "single_az";
    add(db, `RDS ${db.inputs.engine} ${db.inputs.instanceClass} ${layout.replace("_", "-")}`, `rds.${db.inputs.engine}.${db.inputs.instanceClass}.${layout}.hour`, hours);
    if (db.inputs.storageType === "gp3") {
      add(db, `RDS gp3 storage (${layout.replace("_", "-")})`, `rds.gp3.${layout}.gb.month`, Number(db.inputs.allocatedStorage));
    }
  }
}

function priceCaches({ ofType, hours, add }: Pricing): void {
  for (const group of ofType("aws:elasticache/replicationGroup:ReplicationGroup")) {
    const nodes = Number(group.inputs.numNodeGroups ?? 1) * (Number(group.inputs.replicasPerNodeGroup ?? 0) + 1);
    add(group, `ElastiCache ${group.inputs.engine} ${group.inputs.nodeType} (${nodes} nodes)`, `elasticache.${group.inputs.engine}.${group.inputs.nodeType}.hour`, nodes * hours);
  }
}

/** awsx's VPC is one resource under mocks: its NAT gateways follow from its inputs. */
function priceNetworks({ ofType, hours, assumptions, add, notes }: Pricing): void {
  for (const vpc of ofType("awsx:ec2:Vpc")) {
    const strategy = (vpc.inputs.natGateways as { strategy?: string } | undefined)?.strategy ?? "OnePerAz";
    const azs = Number(vpc.inputs.numberOfAvailabilityZones ?? 3);
    const gateways = strategy === "None" ? 0 : strategy === "Single" ? 1 : azs;
    add(vpc, `NAT gateways (${strategy})`, "nat_gateway.hour", gateways * hours);
    add(vpc, "public IPv4 of the NAT gateways", "public_ipv4.hour", gateways * hours);
    if (gateways > 0) {
      if (assumptions.natDataProcessedGbPerMonth === undefined) notes.push("NAT data processed is not priced: set trading-bot:budget.assumptions.natDataProcessedGbPerMonth");
      else add(vpc, "NAT data processed (assumed)", "nat_gateway.data.gb", assumptions.natDataProcessedGbPerMonth);
    }
  }
}

function priceFileSystems({ ofType, assumptions, add, notes }: Pricing): void {
  for (const fileSystem of ofType("aws:efs/fileSystem:FileSystem")) {
    if (assumptions.efsStorageGb === undefined) notes.push("EFS storage is not priced: set trading-bot:budget.assumptions.efsStorageGb");
    else add(fileSystem, "EFS standard storage (assumed)", "efs.standard.gb.month", assumptions.efsStorageGb);
  }
}

function priceSecretsAndAlarms({ ofType, add }: Pricing): void {
  for (const secret of ofType("aws:secretsmanager/secret:Secret")) add(secret, `Secrets Manager secret ${secret.name}`, "secretsmanager.secret.month", 1);
  for (const alarm of ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) {
    const queries = (alarm.inputs.metricQueries ?? []) as { metric?: unknown }[];
    const metrics = queries.length > 0 ? queries.filter((q) => q.metric).length : 1;
    add(alarm, `CloudWatch alarm ${alarm.inputs.name} (${metrics} metric(s))`, "cloudwatch.alarm.standard.month", metrics);
  }
}

/**
 * Dashboards past the account's free ones: the stack's own count first against what the
 * other dashboards of its account leave free (an assumption: the plan sees one stack).
 */
function priceDashboards({ ofType, assumptions, add, notes, price }: Pricing): void {
  const dashboards = ofType("aws:cloudwatch/dashboard:Dashboard");
  if (dashboards.length === 0) return;
  const free = price("cloudwatch.dashboard.month").freePerAccount ?? 0;
  if (assumptions.otherDashboardsInAccount === undefined) {
    notes.push(`CloudWatch dashboards are priced as within the account's ${free} free ones: set trading-bot:budget.assumptions.otherDashboardsInAccount`);
    return;
  }
  let freeLeft = Math.max(0, free - assumptions.otherDashboardsInAccount);
  for (const dashboard of dashboards) {
    const billed = freeLeft > 0 ? 0 : 1;
    freeLeft = Math.max(0, freeLeft - 1);
    add(dashboard, `CloudWatch dashboard ${dashboard.inputs.dashboardName} (past the account's ${free} free ones)`, "cloudwatch.dashboard.month", billed);
  }
}

/**
 * CloudWatch Logs ingestion: the tasks' logs once for the stack (on the first of their groups),
 * and the log each RDS instance exports to its own group, each from its assumption.
 */
function priceLogs({ resources, ofType, assumptions, add, notes }: Pricing): void {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const isDatabaseLog = (group: RecordedResource) => ancestors(group, byUrn).some((a) => a.type === "trading-bot:infra:PostgresDatabase");
  const logGroups = ofType("aws:cloudwatch/logGroup:LogGroup");
  const taskLogs = logGroups.filter((group) => !isDatabaseLog(group));
  if (taskLogs.length > 0) {
    if (assumptions.logIngestionGbPerMonth === undefined) notes.push("log ingestion is not priced: set trading-bot:budget.assumptions.logIngestionGbPerMonth");
    else add(taskLogs[0], "CloudWatch Logs ingestion (assumed)", "cloudwatch.logs.ingest.gb", assumptions.logIngestionGbPerMonth);
  }
  for (const group of logGroups.filter(isDatabaseLog)) {
    if (assumptions.databaseLogGbPerMonth === undefined) notes.push("the database's exported log is not priced: set trading-bot:budget.assumptions.databaseLogGbPerMonth");
    else add(group, "CloudWatch Logs ingestion of the database's log (assumed)", "cloudwatch.logs.ingest.gb", assumptions.databaseLogGbPerMonth);
  }
}

/** Usage-based charges the estimate leaves out, said rather than guessed. */
function unpricedNotes({ ofType, notes }: Pricing): void {
  if (ofType("aws:ecs/cluster:Cluster").some((c) => (c.inputs.settings as { value: string }[] | undefined)?.some((s) => s.value !== "disabled"))) {
    notes.push("Container Insights metrics are usage-based and not priced");
  }
  if (ofType("aws:efs/backupPolicy:BackupPolicy").length + ofType("aws:rds/instance:Instance").length > 0) {
    notes.push("backup storage beyond the free allowance is not priced");
  }
}

/** How many of `desired` tasks each provider runs: bases first, then the rest by weight. */
export function tasksPerProvider(desired: number, strategy: { capacityProvider: string; weight: number; base?: number }[]): Record<string, number> {
  if (strategy.length === 0) return { FARGATE: desired };
  const counts: Record<string, number> = Object.fromEntries(strategy.map((s) => [s.capacityProvider, 0]));
  let left = desired;
  for (const item of strategy) {
    const base = Math.min(item.base ?? 0, left);
    counts[item.capacityProvider] += base;
    left -= base;
  }
  const totalWeight = strategy.reduce((sum, s) => sum + s.weight, 0);
  let placed = 0;
  strategy.forEach((item, index) => {
    const share = index === strategy.length - 1 ? left - placed : Math.round((left * item.weight) / totalWeight);
    counts[item.capacityProvider] += share;
    placed += share;
  });
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));
}

/** The resources above `resource`, its parent first. */
function ancestors(resource: RecordedResource, byUrn: Map<string, RecordedResource>): RecordedResource[] {
  const chain: RecordedResource[] = [];
  // Stryker disable next-line StringLiteral: no resource's URN is "" or any other stand-in, so a missing parent finds nothing either way
  for (let current = byUrn.get(resource.parentUrn ?? ""); current; current = byUrn.get(current.parentUrn ?? "")) chain.push(current);
  return chain;
}

/** `TradingBotService trading-bot` for any resource under that component (the topmost one). */
function componentOf(resource: RecordedResource, byUrn: Map<string, RecordedResource>): string {
  const component = ancestors(resource, byUrn).filter((r) => !r.custom).pop();
  return component ? `${component.type.split(":").pop()} ${component.name}` : "(stack)";
}
