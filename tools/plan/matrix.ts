// The environment matrix (what differs between stacks: capacity, database, cache, alerts, ...),
// read back from what a stack's program registers.
import type { ContainerDefinition } from "../../infra/attachment";
import type { MockRunResult, RecordedResource } from "../engine/resource";

export interface MatrixRow {
  concern: string;
  value: string;
}

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? "" : "s"}`;
const minutes = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60} m` : `${seconds} s`);

/** What the rows read from a run: the resources that carry the matrix's settings. */
interface MatrixSources {
  run: MockRunResult;
  one(type: string): RecordedResource | undefined;
  service: Record<string, unknown>;
  task: Record<string, unknown>;
  app: ContainerDefinition | undefined;
  containers: ContainerDefinition[];
  env: Record<string, string>;
}

export function matrixRows(run: MockRunResult, monthlyUsd: number, budgetUsd: number): MatrixRow[] {
  const one = (type: string): RecordedResource | undefined => run.resources.find((r) => r.type === type);
  const serviceInputs = one("aws:ecs/service:Service")?.inputs ?? {};
  // The service's task definition: a stack may also hold one-off tasks (the data sync).
  const task = run.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.state.arn === serviceInputs.taskDefinition)?.inputs ?? {};
  const containers = JSON.parse(String(task.containerDefinitions ?? "[]")) as ContainerDefinition[];
  const app = containers.find((c) => c.name === "trading-bot") ?? containers[0];
  const env = Object.fromEntries((app?.environment ?? []).map((e) => [e.name, e.value]));
  const sources: MatrixSources = { run, one, service: serviceInputs, task, app, containers, env };
  const flag = (name: string) => (env[name] === "true" ? "on" : "off");
  const nat = (one("awsx:ec2:Vpc")?.inputs.natGateways as { strategy?: string } | undefined)?.strategy;
  const { service } = sources;
  const strategy = (service.capacityProviderStrategies ?? []) as { capacityProvider: string; weight: number }[];
  return [
    { concern: "log level", value: env.LOG_LEVEL ?? "unset" },
    { concern: "database", value: databaseValue(sources) },
    { concern: "cache", value: cacheValue(sources) },
    { concern: "API limits", value: `token ${env.ACCESS_TOKEN_EXPIRE_MINUTES} min, ${env.RATE_LIMIT_PER_MINUTE} requests/min` },
    { concern: "monitoring", value: monitoringValue(sources) },
    { concern: "backups", value: backupsValue(sources) },
    { concern: "tasks", value: String(service.desiredCount) },
    { concern: "rollout", value: `max ${service.deploymentMaximumPercent} %, min healthy ${service.deploymentMinimumHealthyPercent} %` },
    { concern: "capacity", value: strategy.map((s) => `${s.capacityProvider} weight ${s.weight}`).join(", ") || "cluster default" },
    { concern: "task size", value: `${task.cpu} CPU / ${task.memory} MiB, ${(task.runtimePlatform as { cpuArchitecture?: string } | undefined)?.cpuArchitecture ?? "X86_64"}` },
    { concern: "health check", value: healthCheckValue(app) },
    { concern: "service discovery", value: run.outputs.serviceDiscoveryName ? `Cloud Map ${run.outputs.serviceDiscoveryName}` : "off" },
    { concern: "profiling, debug toolbar, reload", value: `${flag("ENABLE_PROFILING")}, ${flag("ENABLE_DEBUG_TOOLBAR")}, ${flag("RELOAD_ON_CHANGE")}` },
    { concern: "Bybit", value: env.BYBIT_TESTNET === "true" ? "testnet" : "live" },
    { concern: "alerts", value: alertsValue(run) },
    { concern: "NAT gateways", value: nat ?? "unset (awsx: one per AZ)" },
    { concern: "data sync", value: dataSyncValue(sources) },
    { concern: "monthly cost", value: `${monthlyUsd.toFixed(2)} USD (budget ${budgetUsd})` },
  ];
}

function databaseValue({ one }: MatrixSources): string {
  const db = one("aws:rds/instance:Instance")?.inputs;
  if (db) return `PostgreSQL ${db.instanceClass}${db.multiAz ? " Multi-AZ" : " single-AZ"}`;
  return one("aws:efs/fileSystem:FileSystem") ? "SQLite on encrypted EFS" : "none";
}

function cacheValue({ one, containers, app }: MatrixSources): string {
  const cache = one("aws:elasticache/replicationGroup:ReplicationGroup")?.inputs;
  if (cache) return `${cache.engine} cluster mode, ${plural(Number(cache.numNodeGroups), "shard")} x ${plural(Number(cache.replicasPerNodeGroup) + 1, "node")} ${cache.nodeType}`;
  const sidecar = containers.find((c) => c !== app && /redis|valkey/.test(c.image));
  return sidecar ? `local sidecar ${sidecar.image.split("/").pop()}` : "none";
}

function monitoringValue({ one, run }: MatrixSources): string {
  const cluster = one("aws:ecs/cluster:Cluster")?.inputs;
  const insights = (cluster?.settings as { name: string; value: string }[] | undefined)?.find((s) => s.name === "containerInsights")?.value ?? "unset";
  const alarms = run.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
  return `Container Insights ${insights}, ${plural(alarms.length, "alarm")}`;
}

function backupsValue({ one }: MatrixSources): string {
  const db = one("aws:rds/instance:Instance")?.inputs;
  const cache = one("aws:elasticache/replicationGroup:ReplicationGroup")?.inputs;
  if (db) return `RDS ${db.backupRetentionPeriod}-day point-in-time recovery${cache ? `, cache snapshots ${plural(Number(cache.snapshotRetentionLimit), "day")}` : ""}`;
  const backupPolicy = one("aws:efs/backupPolicy:BackupPolicy")?.inputs.backupPolicy as { status: string } | undefined;
  return `EFS daily backup ${backupPolicy?.status === "ENABLED" ? "on" : "off"}`;
}

function healthCheckValue(app: ContainerDefinition | undefined): string {
  const health = app?.healthCheck;
  return health ? `${health.command.slice(1).join(" ")}, ${health.interval} s / ${health.timeout} s / ${health.retries} / ${health.startPeriod} s` : "none";
}

function alertsValue(run: MockRunResult): string {
  return run.resources
    .filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
    .map(({ inputs: a }) => {
      const severity = /^\[(\w+)\]/.exec(String(a.alarmDescription))?.[1] ?? "?";
      const window = Number(a.period ?? 60) * Number(a.evaluationPeriods);
      return `${String(a.name).split("-").pop()} ${minutes(window)} ${severity}`;
    })
    .join("; ");
}

/** What the stack's data-sync task may do: export (to which readers) and import (from which sources). */
function dataSyncValue({ one }: MatrixSources): string {
  type Inputs = { export?: { readers?: { roleArn: string }[] }; import?: { sources?: { bucketName: string }[] } };
  const sync = one("trading-bot:infra:DataSync")?.inputs as Inputs | undefined;
  if (!sync) return "none";
  const readers = (sync.export?.readers ?? []).map(({ roleArn }) => /role\/trading-bot-(.+)-data-import$/.exec(roleArn)?.[1] ?? roleArn);
  const sources = (sync.import?.sources ?? []).map(({ bucketName }) => /^trading-bot-data-\d+-(.+)$/.exec(bucketName)?.[1] ?? bucketName);
  return [...(sync.export ? [`exports to ${readers.join(", ") || "no reader"}`] : []), ...(sync.import ? [`imports from ${sources.join(", ")}`] : [])].join("; ");
}
