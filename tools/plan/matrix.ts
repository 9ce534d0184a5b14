// The environment matrix of DESIGN.md, read back from what a stack's program registers.
import type { ContainerDefinition } from "../../infra/attachment";
import type { MockRunResult, RecordedResource } from "../engine/resource";

export interface MatrixRow {
  concern: string;
  value: string;
}

const minutes = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60} m` : `${seconds} s`);

export function matrixRows(run: MockRunResult, monthlyUsd: number, budgetUsd: number): MatrixRow[] {
  const one = (type: string): RecordedResource | undefined => run.resources.find((r) => r.type === type);
  const all = (type: string) => run.resources.filter((r) => r.type === type);
  const service = one("aws:ecs/service:Service")?.inputs ?? {};
  const task = one("aws:ecs/taskDefinition:TaskDefinition")?.inputs ?? {};
  const containers = JSON.parse(String(task.containerDefinitions ?? "[]")) as ContainerDefinition[];
  const app = containers.find((c) => c.name === "trading-bot") ?? containers[0];
  const env = Object.fromEntries((app?.environment ?? []).map((e) => [e.name, e.value]));
  const flag = (name: string) => (env[name] === "true" ? "on" : "off");
  const db = one("aws:rds/instance:Instance")?.inputs;
  const efs = one("aws:efs/fileSystem:FileSystem");
  const cache = one("aws:elasticache/replicationGroup:ReplicationGroup")?.inputs;
  const sidecar = containers.find((c) => c !== app && /redis|valkey/.test(c.image));
  const cluster = one("aws:ecs/cluster:Cluster")?.inputs;
  const insights = (cluster?.settings as { name: string; value: string }[] | undefined)?.find((s) => s.name === "containerInsights")?.value ?? "unset";
  const alarms = all("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs);
  const strategy = (service.capacityProviderStrategies ?? []) as { capacityProvider: string; weight: number }[];
  const health = app?.healthCheck;
  const backupPolicy = one("aws:efs/backupPolicy:BackupPolicy")?.inputs.backupPolicy as { status: string } | undefined;
  const nat = (one("awsx:ec2:Vpc")?.inputs.natGateways as { strategy?: string } | undefined)?.strategy;

  return [
    { concern: "log level", value: env.LOG_LEVEL ?? "unset" },
    {
      concern: "database",
      value: db ? `PostgreSQL ${db.instanceClass}${db.multiAz ? " Multi-AZ" : " single-AZ"}` : efs ? "SQLite on encrypted EFS" : "none",
    },
    {
      concern: "cache",
      value: cache
        ? `${cache.engine} cluster mode, ${cache.numNodeGroups} shard(s) x ${Number(cache.replicasPerNodeGroup) + 1} ${cache.nodeType}`
        : sidecar
          ? `local sidecar ${sidecar.image.split("/").pop()}`
          : "none",
    },
    { concern: "API limits", value: `token ${env.ACCESS_TOKEN_EXPIRE_MINUTES} min, ${env.RATE_LIMIT_PER_MINUTE} requests/min` },
    { concern: "monitoring", value: `Container Insights ${insights}, ${alarms.length} alarm(s)` },
    {
      concern: "backups",
      value: db
        ? `RDS ${db.backupRetentionPeriod}-day point-in-time recovery${cache ? `, cache snapshots ${cache.snapshotRetentionLimit} days` : ""}`
        : `EFS daily backup ${backupPolicy?.status === "ENABLED" ? "on" : "off"}`,
    },
    { concern: "tasks", value: String(service.desiredCount) },
    { concern: "rollout", value: `max ${service.deploymentMaximumPercent} %, min healthy ${service.deploymentMinimumHealthyPercent} %` },
    { concern: "capacity", value: strategy.map((s) => `${s.capacityProvider} weight ${s.weight}`).join(", ") || "cluster default" },
    { concern: "task size", value: `${task.cpu} CPU / ${task.memory} MiB` },
    {
      concern: "health check",
      value: health ? `${health.command.slice(1).join(" ")}, ${health.interval} s / ${health.timeout} s / ${health.retries} / ${health.startPeriod} s` : "none",
    },
    { concern: "service discovery", value: run.outputs.serviceDiscoveryName ? `Cloud Map ${run.outputs.serviceDiscoveryName}` : "off" },
    {
      concern: "profiling, debug toolbar, reload",
      value: `${flag("ENABLE_PROFILING")}, ${flag("ENABLE_DEBUG_TOOLBAR")}, ${flag("RELOAD_ON_CHANGE")}`,
    },
    { concern: "Bybit", value: env.BYBIT_TESTNET === "true" ? "testnet" : "live" },
    {
      concern: "alerts",
      value: alarms
        .map((a) => {
          const severity = /^\[(\w+)\]/.exec(String(a.alarmDescription))?.[1] ?? "?";
          const window = Number(a.period ?? 60) * Number(a.evaluationPeriods);
          return `${String(a.name).split("-").pop()} ${minutes(window)} ${severity}`;
        })
        .join("; "),
    },
    { concern: "NAT gateways", value: nat ?? "unset (awsx: one per AZ)" },
    { concern: "monthly cost", value: `${monthlyUsd.toFixed(2)} USD (budget ${budgetUsd})` },
  ];
}
