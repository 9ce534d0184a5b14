// tools/plan/cost.ts, in-process, on resources written here and a price table of round
// numbers, so that every expected figure can be checked by hand: each priced resource kind,
// each usage assumption missing and given, x86 and ARM64, on-demand and Spot, one-off tasks,
// and how tasks split between capacity providers.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CostItem, PriceTable, PriceTableError, estimateCost, loadPriceTable, tasksPerProvider } from "../tools/plan/cost";
import type { RecordedResource } from "../tools/engine/resource";

/** The committed price tables. */
const dataFolder = path.resolve(__dirname, "..", "data");

/** 100 hours a month and prices a multiplication can check. */
const table: PriceTable = {
  region: "test-1",
  currency: "USD",
  date: "2026-11-01",
  hoursPerMonth: 100,
  sources: { A: "source A", B: "source B" },
  prices: [
    ["fargate.vcpu.hour", "vCPU-hour", 0.04, "A"],
    ["fargate.gb.hour", "GB-hour", 0.004, "A"],
    ["fargate_spot.vcpu.hour", "vCPU-hour", 0.01, "B"],
    ["fargate_spot.gb.hour", "GB-hour", 0.001, "B"],
    ["fargate.arm64.vcpu.hour", "vCPU-hour", 0.03, "A"],
    ["fargate.arm64.gb.hour", "GB-hour", 0.003, "A"],
    ["fargate_spot.arm64.vcpu.hour", "vCPU-hour", 0.008, "B"],
    ["fargate_spot.arm64.gb.hour", "GB-hour", 0.0008, "B"],
    ["public_ipv4.hour", "address-hour", 0.005, "A,B"],
    ["cloudmap.instance.month", "instance-month", 0.1, "A"],
    ["route53.private_zone.month", "zone-month", 0.5, "A"],
    ["rds.postgres.db.t4g.small.single_az.hour", "hour", 0.03, "A"],
    ["rds.postgres.db.t4g.small.multi_az.hour", "hour", 0.06, "A"],
    ["rds.gp3.single_az.gb.month", "GB-month", 0.1, "A"],
    ["rds.gp3.multi_az.gb.month", "GB-month", 0.2, "A"],
    ["elasticache.redis.cache.t4g.small.hour", "node-hour", 0.03, "A"],
    ["nat_gateway.hour", "hour", 0.04, "A"],
    ["nat_gateway.data.gb", "GB", 0.05, "A"],
    ["efs.standard.gb.month", "GB-month", 0.3, "A"],
    ["s3.standard.gb.month", "GB-month", 0.02, "A"],
    ["secretsmanager.secret.month", "secret-month", 0.4, "A"],
    ["cloudwatch.alarm.standard.month", "alarm-metric-month", 0.1, "A"],
    ["cloudwatch.logs.ingest.gb", "GB", 0.5, "C"],
  ].map(([key, unit, usd, source]) => ({ key: key as string, unit: unit as string, usd: usd as number, source: source as string })),
};
// Three free a month per account, as AWS's.
table.prices.push({ key: "cloudwatch.dashboard.month", unit: "dashboard-month", usd: 3, source: "A", freePerAccount: 3 });

let counter = 0;
/** A resource as the mock run records it; `parent` is a resource above it (none: the stack). */
function resource(type: string, inputs: Record<string, unknown> = {}, options: { name?: string; parent?: RecordedResource; state?: Record<string, unknown> } = {}): RecordedResource {
  const name = options.name ?? `r${++counter}`;
  const custom = !type.startsWith("trading-bot:infra:");
  return {
    urn: `urn:pulumi:test::trading-bot::${type}::${name}`,
    type,
    name,
    parentUrn: options.parent?.urn ?? "urn:pulumi:test::trading-bot::pulumi:pulumi:Stack::trading-bot-test",
    custom,
    protect: false,
    inputs,
    secretInputs: [],
    state: { ...inputs, ...options.state },
  };
}
const component = (name: string, parent?: RecordedResource) => resource(`trading-bot:infra:${name}`, {}, { name: name.toLowerCase(), parent });

/** A service running a task definition of `cpu` units and `memory` MiB; the task first, the service second. */
function service(task: Record<string, unknown>, inputs: Record<string, unknown>, parent?: RecordedResource): RecordedResource[] {
  const arn = `arn:aws:ecs:task-definition/t${++counter}:1`;
  return [
    resource("aws:ecs/taskDefinition:TaskDefinition", task, { parent, state: { arn } }),
    resource("aws:ecs/service:Service", { taskDefinition: arn, ...inputs }, { parent }),
  ];
}

/** [price key, what, quantity a month, USD a month] of each item. */
const rows = (items: CostItem[]) => items.map((item) => [item.priceKey, item.what, item.quantity, item.monthlyUsd]);

type Row = [priceKey: string, what: string, quantity: number, monthlyUsd: number];
type Assumptions = Parameters<typeof estimateCost>[3];

describe("cost: each priced resource, by hand (100 hours a month)", () => {
  const cases: [what: string, resources: () => RecordedResource[], assumptions: Assumptions, items: Row[], notes: string[]][] = [
    [
      "a service of 2 x86 tasks on FARGATE",
      () => service({ cpu: "512", memory: "1024" }, { desiredCount: 2, capacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1 }] }),
      {},
      [
        ["fargate.vcpu.hour", "Fargate vCPU (2 task(s) x 0.5)", 100, 4],
        ["fargate.gb.hour", "Fargate memory (2 task(s) x 1 GB)", 200, 0.8],
      ],
      [],
    ],
    [
      "a service of 3 ARM64 tasks on FARGATE_SPOT",
      () => service({ cpu: "256", memory: "512", runtimePlatform: { cpuArchitecture: "ARM64" } }, { desiredCount: 3, capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 100 }] }),
      {},
      [
        ["fargate_spot.arm64.vcpu.hour", "Fargate Spot ARM64 vCPU (3 task(s) x 0.25)", 75, 0.6],
        ["fargate_spot.arm64.gb.hour", "Fargate Spot ARM64 memory (3 task(s) x 0.5 GB)", 150, 0.12],
      ],
      [],
    ],
    [
      "an ARM64 service on FARGATE and an x86 one on FARGATE_SPOT",
      () => [
        ...service({ cpu: "1024", memory: "2048", runtimePlatform: { cpuArchitecture: "ARM64" } }, { desiredCount: 1, capacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1 }] }),
        ...service({ cpu: "1024", memory: "2048", runtimePlatform: { cpuArchitecture: "X86_64" } }, { desiredCount: 1, capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }),
      ],
      {},
      [
        ["fargate.arm64.vcpu.hour", "Fargate ARM64 vCPU (1 task(s) x 1)", 100, 3],
        ["fargate.arm64.gb.hour", "Fargate ARM64 memory (1 task(s) x 2 GB)", 200, 0.6],
        ["fargate_spot.vcpu.hour", "Fargate Spot vCPU (1 task(s) x 1)", 100, 1],
        ["fargate_spot.gb.hour", "Fargate Spot memory (1 task(s) x 2 GB)", 200, 0.2],
      ],
      [],
    ],
    [
      "a capacity-provider base larger than the desired count: the base provider runs them all",
      () => service({ cpu: "1024", memory: "2048" }, {
        desiredCount: 2,
        capacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 5 }, { capacityProvider: "FARGATE_SPOT", weight: 3 }],
      }),
      {},
      [
        ["fargate.vcpu.hour", "Fargate vCPU (2 task(s) x 1)", 200, 8],
        ["fargate.gb.hour", "Fargate memory (2 task(s) x 2 GB)", 400, 1.6],
      ],
      [],
    ],
    [
      "a base on FARGATE and the rest by weight on FARGATE_SPOT",
      () => service({ cpu: "1024", memory: "2048" }, {
        desiredCount: 4,
        capacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 0, base: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 1 }],
      }),
      {},
      [
        ["fargate.vcpu.hour", "Fargate vCPU (1 task(s) x 1)", 100, 4],
        ["fargate.gb.hour", "Fargate memory (1 task(s) x 2 GB)", 200, 0.8],
        ["fargate_spot.vcpu.hour", "Fargate Spot vCPU (3 task(s) x 1)", 300, 3],
        ["fargate_spot.gb.hour", "Fargate Spot memory (3 task(s) x 2 GB)", 600, 0.6],
      ],
      [],
    ],
    [
      "a service with no strategy (the launch type): on-demand FARGATE",
      () => service({ cpu: "256", memory: "512" }, { desiredCount: 1, launchType: "FARGATE" }),
      {},
      [
        ["fargate.vcpu.hour", "Fargate vCPU (1 task(s) x 0.25)", 25, 1],
        ["fargate.gb.hour", "Fargate memory (1 task(s) x 0.5 GB)", 50, 0.2],
      ],
      [],
    ],
    ["a service with no desired count runs nothing", () => service({ cpu: "256", memory: "512" }, { launchType: "FARGATE" }), {}, [], []],
    [
      "public IPv4 addresses of the tasks",
      () => service({ cpu: "256", memory: "512" }, { desiredCount: 2, launchType: "FARGATE", networkConfiguration: { assignPublicIp: true } }),
      {},
      [
        ["fargate.vcpu.hour", "Fargate vCPU (2 task(s) x 0.25)", 50, 2],
        ["fargate.gb.hour", "Fargate memory (2 task(s) x 0.5 GB)", 100, 0.4],
        ["public_ipv4.hour", "public IPv4 of 2 task(s)", 200, 1],
      ],
      [],
    ],
    [
      "no public IPv4 when assignPublicIp is false",
      () => service({ cpu: "256", memory: "512" }, { desiredCount: 2, launchType: "FARGATE", networkConfiguration: { assignPublicIp: false } }),
      {},
      [
        ["fargate.vcpu.hour", "Fargate vCPU (2 task(s) x 0.25)", 50, 2],
        ["fargate.gb.hour", "Fargate memory (2 task(s) x 0.5 GB)", 100, 0.4],
      ],
      [],
    ],
    [
      "Cloud Map: one instance per task of the registered service, one hosted zone per namespace",
      () => [
        resource("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace"),
        resource("aws:servicediscovery/service:Service", {}, { state: { arn: "arn:other" } }),
        resource("aws:servicediscovery/service:Service", {}, { name: "discovery", state: { arn: "arn:discovery" } }),
        ...service({ cpu: "256", memory: "512" }, { desiredCount: 2, launchType: "FARGATE", serviceRegistries: { registryArn: "arn:discovery" } }),
      ],
      {},
      [
        ["fargate.vcpu.hour", "Fargate vCPU (2 task(s) x 0.25)", 50, 2],
        ["fargate.gb.hour", "Fargate memory (2 task(s) x 0.5 GB)", 100, 0.4],
        ["cloudmap.instance.month", "Cloud Map instances (2 task(s))", 2, 0.2],
        ["route53.private_zone.month", "private hosted zone of the namespace", 1, 0.5],
      ],
      [],
    ],
    [
      "a service registry no discovery service has is not priced",
      () => service({ cpu: "256", memory: "512" }, { desiredCount: 2, launchType: "FARGATE", serviceRegistries: { registryArn: "arn:missing" } }),
      {},
      [
        ["fargate.vcpu.hour", "Fargate vCPU (2 task(s) x 0.25)", 50, 2],
        ["fargate.gb.hour", "Fargate memory (2 task(s) x 0.5 GB)", 100, 0.4],
      ],
      [],
    ],
    [
      "a service whose task definition is not among the resources is not priced",
      () => [resource("aws:ecs/service:Service", { taskDefinition: "arn:elsewhere", desiredCount: 2, launchType: "FARGATE" })],
      {},
      [],
      [],
    ],
    [
      "a one-off task definition (no service runs it), runs assumed",
      () => [resource("aws:ecs/taskDefinition:TaskDefinition", { cpu: "1024", memory: "2048" }, { state: { arn: "arn:export" } })],
      { dataSyncRunsPerMonth: 30, dataSyncRunMinutes: 10 },
      [
        ["fargate.vcpu.hour", "one-off task runs (30 x 10 min) x 1 vCPU (assumed)", 5, 0.2],
        ["fargate.gb.hour", "one-off task runs (30 x 10 min) x 2 GB (assumed)", 10, 0.04],
      ],
      [],
    ],
    [
      "an ARM64 one-off task, its quantity rounded to 3 decimals and its price to the cent",
      () => [resource("aws:ecs/taskDefinition:TaskDefinition", { cpu: "256", memory: "512", runtimePlatform: { cpuArchitecture: "ARM64" } }, { state: { arn: "arn:export" } })],
      { dataSyncRunsPerMonth: 7, dataSyncRunMinutes: 1 },
      [
        ["fargate.arm64.vcpu.hour", "one-off task runs (7 x 1 min) x 0.25 vCPU (assumed)", 0.029, 0],
        ["fargate.arm64.gb.hour", "one-off task runs (7 x 1 min) x 0.5 GB (assumed)", 0.058, 0],
      ],
      [],
    ],
    [
      "a one-off task without the runs assumed",
      () => [resource("aws:ecs/taskDefinition:TaskDefinition", { cpu: "1024", memory: "2048" }, { state: { arn: "arn:export" } })],
      { dataSyncRunMinutes: 10 },
      [],
      ["one-off task runs are not priced: set trading-bot:budget.assumptions.dataSyncRunsPerMonth and dataSyncRunMinutes"],
    ],
    [
      "a one-off task without the minutes assumed",
      () => [resource("aws:ecs/taskDefinition:TaskDefinition", { cpu: "1024", memory: "2048" }, { state: { arn: "arn:export" } })],
      { dataSyncRunsPerMonth: 30 },
      [],
      ["one-off task runs are not priced: set trading-bot:budget.assumptions.dataSyncRunsPerMonth and dataSyncRunMinutes"],
    ],
    [
      "a single-AZ PostgreSQL with gp3 storage",
      () => [resource("aws:rds/instance:Instance", { engine: "postgres", instanceClass: "db.t4g.small", multiAz: false, storageType: "gp3", allocatedStorage: 20 })],
      {},
      [
        ["rds.postgres.db.t4g.small.single_az.hour", "RDS postgres db.t4g.small single-az", 100, 3],
        ["rds.gp3.single_az.gb.month", "RDS gp3 storage (single-az)", 20, 2],
      ],
      ["backup storage beyond the free allowance is not priced"],
    ],
    [
      "a Multi-AZ PostgreSQL with gp3 storage",
      () => [resource("aws:rds/instance:Instance", { engine: "postgres", instanceClass: "db.t4g.small", multiAz: true, storageType: "gp3", allocatedStorage: 50 })],
      {},
      [
        ["rds.postgres.db.t4g.small.multi_az.hour", "RDS postgres db.t4g.small multi-az", 100, 6],
        ["rds.gp3.multi_az.gb.month", "RDS gp3 storage (multi-az)", 50, 10],
      ],
      ["backup storage beyond the free allowance is not priced"],
    ],
    [
      "a PostgreSQL on another storage type: its storage is not priced as gp3",
      () => [resource("aws:rds/instance:Instance", { engine: "postgres", instanceClass: "db.t4g.small", storageType: "gp2", allocatedStorage: 20 })],
      {},
      [["rds.postgres.db.t4g.small.single_az.hour", "RDS postgres db.t4g.small single-az", 100, 3]],
      ["backup storage beyond the free allowance is not priced"],
    ],
    [
      "a cache of 2 shards with 1 replica each: 4 nodes",
      () => [resource("aws:elasticache/replicationGroup:ReplicationGroup", { engine: "redis", nodeType: "cache.t4g.small", numNodeGroups: 2, replicasPerNodeGroup: 1 })],
      {},
      [["elasticache.redis.cache.t4g.small.hour", "ElastiCache redis cache.t4g.small (4 nodes)", 400, 12]],
      [],
    ],
    [
      "a cache that says neither shards nor replicas: one node",
      () => [resource("aws:elasticache/replicationGroup:ReplicationGroup", { engine: "redis", nodeType: "cache.t4g.small" })],
      {},
      [["elasticache.redis.cache.t4g.small.hour", "ElastiCache redis cache.t4g.small (1 nodes)", 100, 3]],
      [],
    ],
    [
      "a VPC with a single NAT gateway, data processed assumed",
      () => [resource("awsx:ec2:Vpc", { natGateways: { strategy: "Single" }, numberOfAvailabilityZones: 2 })],
      { natDataProcessedGbPerMonth: 10 },
      [
        ["nat_gateway.hour", "NAT gateways (Single)", 100, 4],
        ["public_ipv4.hour", "public IPv4 of the NAT gateways", 100, 0.5],
        ["nat_gateway.data.gb", "NAT data processed (assumed)", 10, 0.5],
      ],
      [],
    ],
    [
      "a VPC with one NAT gateway per AZ, data processed not assumed",
      () => [resource("awsx:ec2:Vpc", { natGateways: { strategy: "OnePerAz" }, numberOfAvailabilityZones: 2 })],
      {},
      [
        ["nat_gateway.hour", "NAT gateways (OnePerAz)", 200, 8],
        ["public_ipv4.hour", "public IPv4 of the NAT gateways", 200, 1],
      ],
      ["NAT data processed is not priced: set trading-bot:budget.assumptions.natDataProcessedGbPerMonth"],
    ],
    [
      "a VPC that says nothing: awsx's default of one NAT gateway in each of 3 AZs",
      () => [resource("awsx:ec2:Vpc")],
      { natDataProcessedGbPerMonth: 0 },
      [
        ["nat_gateway.hour", "NAT gateways (OnePerAz)", 300, 12],
        ["public_ipv4.hour", "public IPv4 of the NAT gateways", 300, 1.5],
      ],
      [],
    ],
    [
      "a VPC without NAT gateways: nothing to price, nothing to assume",
      () => [resource("awsx:ec2:Vpc", { natGateways: { strategy: "None" }, numberOfAvailabilityZones: 2 })],
      {},
      [],
      [],
    ],
    [
      "an EFS file system, storage assumed",
      () => [resource("aws:efs/fileSystem:FileSystem")],
      { efsStorageGb: 2 },
      [["efs.standard.gb.month", "EFS standard storage (assumed)", 2, 0.6]],
      [],
    ],
    ["an EFS file system, storage not assumed", () => [resource("aws:efs/fileSystem:FileSystem")], {}, [], ["EFS storage is not priced: set trading-bot:budget.assumptions.efsStorageGb"]],
    [
      "an EFS backup policy",
      () => [resource("aws:efs/backupPolicy:BackupPolicy")],
      {},
      [],
      ["backup storage beyond the free allowance is not priced"],
    ],
    [
      "the data syncs' exports bucket (under a component under DataSync), storage assumed; another bucket is not priced",
      () => {
        const dataSync = component("DataSync");
        const exports = component("PrivateBucket", dataSync);
        const config = component("ConfigBucket");
        return [dataSync, exports, resource("aws:s3/bucket:Bucket", {}, { parent: exports }), config, resource("aws:s3/bucket:Bucket", {}, { parent: config })];
      },
      { dataSyncExportStorageGb: 5 },
      [["s3.standard.gb.month", "S3 storage of the exports (assumed)", 5, 0.1]],
      [],
    ],
    [
      "the exports bucket, storage not assumed",
      () => {
        const dataSync = component("DataSync");
        return [dataSync, resource("aws:s3/bucket:Bucket", {}, { parent: dataSync })];
      },
      {},
      [],
      ["the exports bucket's storage is not priced: set trading-bot:budget.assumptions.dataSyncExportStorageGb"],
    ],
    [
      "secrets and alarms: one metric per alarm unless it has metric queries",
      () => [
        resource("aws:secretsmanager/secret:Secret", {}, { name: "bybit-api-key" }),
        resource("aws:cloudwatch/metricAlarm:MetricAlarm", { name: "ServiceDown" }),
        resource("aws:cloudwatch/metricAlarm:MetricAlarm", { name: "Empty", metricQueries: [] }),
        resource("aws:cloudwatch/metricAlarm:MetricAlarm", { name: "ErrorRate", metricQueries: [{ metric: {} }, { metric: {} }, { expression: "m1/m2" }] }),
      ],
      {},
      [
        ["secretsmanager.secret.month", "Secrets Manager secret bybit-api-key", 1, 0.4],
        ["cloudwatch.alarm.standard.month", "CloudWatch alarm ServiceDown (1 metric(s))", 1, 0.1],
        ["cloudwatch.alarm.standard.month", "CloudWatch alarm Empty (1 metric(s))", 1, 0.1],
        ["cloudwatch.alarm.standard.month", "CloudWatch alarm ErrorRate (2 metric(s))", 2, 0.2],
      ],
      [],
    ],
    [
      "log ingestion assumed: priced once, on the first log group",
      () => [resource("aws:cloudwatch/logGroup:LogGroup", {}, { name: "first" }), resource("aws:cloudwatch/logGroup:LogGroup", {}, { name: "second" })],
      { logIngestionGbPerMonth: 3 },
      [["cloudwatch.logs.ingest.gb", "CloudWatch Logs ingestion (assumed)", 3, 1.5]],
      [],
    ],
    [
      "log ingestion not assumed: one note for all log groups",
      () => [resource("aws:cloudwatch/logGroup:LogGroup"), resource("aws:cloudwatch/logGroup:LogGroup")],
      {},
      [],
      ["log ingestion is not priced: set trading-bot:budget.assumptions.logIngestionGbPerMonth"],
    ],
    [
      "the database's exported log: priced from its own assumption, on its own group, apart from the tasks' logs",
      () => {
        const database = resource("trading-bot:infra:PostgresDatabase", {}, { name: "trading-bot-db" });
        return [database, resource("aws:cloudwatch/logGroup:LogGroup", {}, { name: "postgresql", parent: database }), resource("aws:cloudwatch/logGroup:LogGroup", {}, { name: "tasks" })];
      },
      { logIngestionGbPerMonth: 3, databaseLogGbPerMonth: 0.2 },
      [
        ["cloudwatch.logs.ingest.gb", "CloudWatch Logs ingestion (assumed)", 3, 1.5],
        ["cloudwatch.logs.ingest.gb", "CloudWatch Logs ingestion of the database's log (assumed)", 0.2, 0.1],
      ],
      [],
    ],
    [
      "the database's exported log without its assumption: a note; the tasks' logs still priced",
      () => {
        const database = resource("trading-bot:infra:PostgresDatabase", {}, { name: "trading-bot-db" });
        return [database, resource("aws:cloudwatch/logGroup:LogGroup", {}, { name: "postgresql", parent: database }), resource("aws:cloudwatch/logGroup:LogGroup", {}, { name: "tasks" })];
      },
      { logIngestionGbPerMonth: 3 },
      [["cloudwatch.logs.ingest.gb", "CloudWatch Logs ingestion (assumed)", 3, 1.5]],
      ["the database's exported log is not priced: set trading-bot:budget.assumptions.databaseLogGbPerMonth"],
    ],
    ["no log group: no note", () => [], {}, [], []],
    [
      "a dashboard, the account's other dashboards not assumed: within the free ones, with a note",
      () => [resource("aws:cloudwatch/dashboard:Dashboard", { dashboardName: "d1" })],
      {},
      [],
      ["CloudWatch dashboards are priced as within the account's 3 free ones: set trading-bot:budget.assumptions.otherDashboardsInAccount"],
    ],
    ["a dashboard, 2 others in the account: the 3rd free one", () => [resource("aws:cloudwatch/dashboard:Dashboard", { dashboardName: "d1" })], { otherDashboardsInAccount: 2 }, [], []],
    [
      "two dashboards, 2 others in the account: the 3rd is free, the 4th billed",
      () => [resource("aws:cloudwatch/dashboard:Dashboard", { dashboardName: "d1" }), resource("aws:cloudwatch/dashboard:Dashboard", { dashboardName: "d2" })],
      { otherDashboardsInAccount: 2 },
      [["cloudwatch.dashboard.month", "CloudWatch dashboard d2 (past the account's 3 free ones)", 1, 3]],
      [],
    ],
    [
      "a dashboard, 7 others in the account: billed",
      () => [resource("aws:cloudwatch/dashboard:Dashboard", { dashboardName: "d1" })],
      { otherDashboardsInAccount: 7 },
      [["cloudwatch.dashboard.month", "CloudWatch dashboard d1 (past the account's 3 free ones)", 1, 3]],
      [],
    ],
    ["a cluster with an empty settings list: no note", () => [resource("aws:ecs/cluster:Cluster", { settings: [] })], {}, [], []],
    [
      "a cluster with Container Insights on (enabled or enhanced), one with it off, one without settings",
      () => [
        resource("aws:ecs/cluster:Cluster", { settings: [{ name: "containerInsights", value: "disabled" }] }),
        resource("aws:ecs/cluster:Cluster"),
        resource("aws:ecs/cluster:Cluster", { settings: [{ name: "containerInsights", value: "enhanced" }] }),
      ],
      {},
      [],
      ["Container Insights metrics are usage-based and not priced"],
    ],
    [
      "a cluster with Container Insights off only",
      () => [resource("aws:ecs/cluster:Cluster", { settings: [{ name: "containerInsights", value: "disabled" }] }), resource("aws:ecs/cluster:Cluster")],
      {},
      [],
      [],
    ],
    ["zero usage assumed is priced at nothing, without a note", () => [resource("aws:efs/fileSystem:FileSystem")], { efsStorageGb: 0 }, [], []],
  ];
  for (const [what, resources, assumptions, items, notes] of cases) {
    it(what, () => {
      const cost = estimateCost(resources(), table, 50, assumptions);
      assert.deepEqual(rows(cost.items), items);
      assert.deepEqual(cost.notes, notes);
    });
  }
});

describe("cost: the estimate around the items", () => {
  it("totals the items to the cent and names the table, the budget and each price's sources once", () => {
    const bot = component("TradingBotService");
    const cost = estimateCost(
      [
        bot,
        ...service({ cpu: "256", memory: "512" }, { desiredCount: 1, capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }], networkConfiguration: { assignPublicIp: true } }, bot),
        resource("aws:cloudwatch/logGroup:LogGroup", {}, { parent: bot }),
        resource("aws:secretsmanager/secret:Secret", {}, { name: "key" }),
      ],
      table,
      15,
      { logIngestionGbPerMonth: 0.333 },
    );
    // Spot 0.25 vCPU x 100 h x 0.01 = 0.25; 0.5 GB x 100 h x 0.001 = 0.05; IPv4 100 h x 0.005 = 0.5;
    // logs 0.333 GB x 0.5 = 0.1665 -> 0.17; the secret 0.40.
    assert.deepEqual(rows(cost.items), [
      ["fargate_spot.vcpu.hour", "Fargate Spot vCPU (1 task(s) x 0.25)", 25, 0.25],
      ["fargate_spot.gb.hour", "Fargate Spot memory (1 task(s) x 0.5 GB)", 50, 0.05],
      ["public_ipv4.hour", "public IPv4 of 1 task(s)", 100, 0.5],
      ["secretsmanager.secret.month", "Secrets Manager secret key", 1, 0.4],
      ["cloudwatch.logs.ingest.gb", "CloudWatch Logs ingestion (assumed)", 0.333, 0.17],
    ]);
    assert.equal(cost.monthlyTotal, 1.37);
    assert.equal(cost.currency, "USD");
    assert.equal(cost.budget, 15);
    assert.deepEqual(cost.priceTable, { region: "test-1", date: "2026-11-01", sources: ["B: source B", "A: source A", "C"] });
  });

  it("gives each item its resource, unit, unit price and the topmost component above it", () => {
    const dataSync = component("DataSync");
    const exports = component("PrivateBucket", dataSync);
    const bucket = resource("aws:s3/bucket:Bucket", {}, { parent: exports });
    const secret = resource("aws:secretsmanager/secret:Secret", {}, { name: "key" });
    const cost = estimateCost([dataSync, exports, bucket, secret], table, 15, { dataSyncExportStorageGb: 1 });
    assert.deepEqual(
      cost.items.map(({ urn, component, unit, unitUsd }) => ({ urn, component, unit, unitUsd })),
      [
        { urn: bucket.urn, component: "DataSync datasync", unit: "GB-month", unitUsd: 0.02 },
        { urn: secret.urn, component: "(stack)", unit: "secret-month", unitUsd: 0.4 },
      ],
    );
  });

  it("charges Cloud Map instances to the discovery service the service registers with, among several", () => {
    const other = resource("aws:servicediscovery/service:Service", {}, { name: "other", state: { arn: "arn:other" } });
    const discovery = resource("aws:servicediscovery/service:Service", {}, { name: "discovery", state: { arn: "arn:discovery" } });
    const cost = estimateCost([other, discovery, ...service({ cpu: "256", memory: "512" }, { desiredCount: 2, serviceRegistries: { registryArn: "arn:discovery" } })], table, 15, {});
    assert.deepEqual(cost.items.filter((item) => item.priceKey === "cloudmap.instance.month").map((item) => item.urn), [discovery.urn]);
  });

  it("charges a resource whose parents are all custom resources to the stack, not to its topmost parent", () => {
    const cluster = resource("aws:ecs/cluster:Cluster", {}, { name: "cluster" });
    const service = resource("aws:ecs/service:Service", {}, { name: "service", parent: cluster });
    const alarm = resource("aws:cloudwatch/metricAlarm:MetricAlarm", {}, { name: "down", parent: service });
    const cost = estimateCost([cluster, service, alarm], table, 15, {});
    assert.deepEqual(cost.items.map(({ urn, component }) => ({ urn, component })), [{ urn: alarm.urn, component: "(stack)" }]);
  });

  it("refuses a resource the price table has no price for, naming the key", () => {
    const db = resource("aws:rds/instance:Instance", { engine: "postgres", instanceClass: "db.r5.large", storageType: "gp3", allocatedStorage: 20 });
    assert.throws(() => estimateCost([db], table, 15, {}), (error: Error) => error instanceof PriceTableError && error.message === "the test-1 price table has no entry rds.postgres.db.r5.large.single_az.hour");
  });

  it("loads the committed price table of a region", () => {
    const committed = loadPriceTable("us-east-1", dataFolder);
    assert.equal(committed.region, "us-east-1");
    assert.equal(committed.hoursPerMonth, 730);
    assert.equal(committed.prices.find((price) => price.key === "fargate.vcpu.hour")?.usd, 0.04048);
  });

  // The last two resolve to the committed table's file: the name is refused before any path is built from it.
  for (const region of ["eu-west-1", "US-EAST-1", "../data/aws-prices-us-east-1", "us-east-1.json", "", "/../aws-prices-us-east-1", "us-east-1/../../data/aws-prices-us-east-1"]) {
    it(`refuses a region it has no table for: ${JSON.stringify(region)}`, () => {
      assert.throws(() => loadPriceTable(region, dataFolder), (error: Error) => error instanceof PriceTableError && error.message === `no price table for region ${region}: data/ has us-east-1`);
    });
  }
});

describe("cost: the price tables a folder holds", () => {
  let folder: string;
  before(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), "price-tables-"));
    const tables = ["aws-prices-eu-west-1.json", "aws-prices-us-east-1.json", "old-aws-prices-us-west-2.json", "aws-prices-ap-south-1.json.bak", "notes.txt"];
    for (const name of tables) fs.writeFileSync(path.join(folder, name), JSON.stringify({ ...table, region: name }));
  });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  it("loads a region's table from the folder", () => {
    assert.equal(loadPriceTable("eu-west-1", folder).region, "aws-prices-eu-west-1.json");
  });

  it("lists only files named aws-prices-<region>.json when it refuses a region", () => {
    assert.throws(() => loadPriceTable("us-west-2", folder), (error: Error) => {
      const listed = new RegExp(`^no price table for region us-west-2: ${path.basename(folder)}/ has (.*)$`).exec(error.message)?.[1];
      assert.deepEqual(listed?.split(", ").sort(), ["eu-west-1", "us-east-1"], error.message);
      return error instanceof PriceTableError;
    });
  });
});

describe("cost: how many tasks each capacity provider runs", () => {
  const F = "FARGATE";
  const S = "FARGATE_SPOT";
  const cases: [desired: number, strategy: { capacityProvider: string; weight: number; base?: number }[], counts: Record<string, number>][] = [
    [3, [], { FARGATE: 3 }],
    [5, [{ capacityProvider: S, weight: 100 }], { FARGATE_SPOT: 5 }],
    [0, [{ capacityProvider: F, weight: 1 }], {}],
    [5, [{ capacityProvider: F, weight: 1, base: 1 }, { capacityProvider: S, weight: 3 }], { FARGATE: 2, FARGATE_SPOT: 3 }],
    [2, [{ capacityProvider: F, weight: 1, base: 5 }, { capacityProvider: S, weight: 3 }], { FARGATE: 2 }], // a base above the desired count
    [2, [{ capacityProvider: S, weight: 3 }, { capacityProvider: F, weight: 1, base: 5 }], { FARGATE: 2 }], // the base wherever it is listed
    [3, [{ capacityProvider: F, weight: 1 }, { capacityProvider: S, weight: 1 }], { FARGATE: 2, FARGATE_SPOT: 1 }], // 1.5 rounds up; the last takes the rest
    [3, [{ capacityProvider: S, weight: 1 }, { capacityProvider: F, weight: 1 }], { FARGATE_SPOT: 2, FARGATE: 1 }],
    [10, [{ capacityProvider: F, weight: 1, base: 2 }, { capacityProvider: S, weight: 4 }], { FARGATE: 4, FARGATE_SPOT: 6 }], // 8 x 1/5 = 1.6 -> 2
    [10, [{ capacityProvider: F, weight: 1 }, { capacityProvider: S, weight: 3 }], { FARGATE: 3, FARGATE_SPOT: 7 }], // 2.5 -> 3
    [10, [{ capacityProvider: F, weight: 2 }, { capacityProvider: S, weight: 7 }], { FARGATE: 2, FARGATE_SPOT: 8 }], // 2.2 -> 2
    [4, [{ capacityProvider: F, weight: 0, base: 1 }, { capacityProvider: S, weight: 1 }], { FARGATE: 1, FARGATE_SPOT: 3 }], // a zero weight keeps its base only
    [3, [{ capacityProvider: F, weight: 1 }, { capacityProvider: S, weight: 0 }], { FARGATE: 3 }],
    [3, [{ capacityProvider: F, weight: 0 }, { capacityProvider: S, weight: 1 }], { FARGATE_SPOT: 3 }],
  ];
  for (const [desired, strategy, counts] of cases) {
    it(`${desired} task(s) over ${JSON.stringify(strategy)}: ${JSON.stringify(counts)}`, () => {
      assert.deepEqual(tasksPerProvider(desired, strategy), counts);
    });
  }
});
