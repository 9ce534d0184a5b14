// AWS limits and the pure validators built on them: the one place that says which values
// AWS accepts. The stack config schema (stacks/config.ts) and the components (infra/)
// both call these validators, so both refuse the same value with the same words.
// Sources: the API references of ECS (task definitions, services, health checks),
// CloudWatch Logs (PutRetentionPolicy), CloudWatch (PutMetricAlarm), RDS, ElastiCache,
// Secrets Manager (DeleteSecret) and the EC2 VPC limits. No Pulumi imports: the schema
// loads this before any SDK.

/**
 * Checks one value: undefined when AWS accepts it, otherwise what is allowed, in words
 * (`allowed: days from 0 to 35`). Callers prefix the key and the value.
 */
export type Validator = (value: unknown) => string | undefined;

// ---- building blocks ----

/** A whole number in [min, max]; `what` names the unit, e.g. `days`, `a percentage`. */
export function wholeNumber(min: number, max: number, what: string): Validator {
  return (value) =>
    typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `allowed: ${what} from ${min} to ${max}`;
}

/** One of a fixed list; `who` opens the message (`allowed:`, `Fargate allows`). */
export function oneOf(values: readonly (string | number)[], who = "allowed:"): Validator {
  return (value) => (values.includes(value as string | number) ? undefined : `${who} ${values.join(", ")}`);
}

/** A string matching `pattern`; `what` describes it, with an example. */
export function matching(pattern: RegExp, what: string): Validator {
  return (value) => (typeof value === "string" && pattern.test(value) ? undefined : `allowed: ${what}`);
}

export function flag(): Validator {
  return (value) => (typeof value === "boolean" ? undefined : "allowed: true, false");
}

/** A number above 0 (prices, sizes). */
export function positiveNumber(what: string): Validator {
  return (value) => (typeof value === "number" && Number.isFinite(value) && value > 0 ? undefined : `allowed: ${what} above 0`);
}

/** A number of 0 or more (usage assumptions). */
export function nonNegativeNumber(what: string): Validator {
  return (value) => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? undefined : `allowed: ${what} of 0 or more`);
}

/** Throws `<where>: <field> is <value>; <allowed>` when the validator refuses the value. */
export function requireValid(where: string, field: string, value: unknown, validator: Validator): void {
  const problem = validator(value);
  if (problem !== undefined) throw new Error(`${where}: ${field} is ${JSON.stringify(value) ?? String(value)}; ${problem}`);
}

/** Checks each field of `args` that `validators` names, in their order; the first refusal throws. `prefix` names a nested object. */
export function requireAll<T extends object>(where: string, args: T, validators: { [K in keyof T]?: Validator }, prefix = ""): void {
  for (const [field, validator] of Object.entries(validators) as [keyof T & string, Validator][]) {
    requireValid(where, `${prefix}${field}`, args[field], validator);
  }
}

// ---- network ----

export const natGatewayStrategies = ["None", "Single", "OnePerAz"] as const;
export type NatGatewayStrategy = (typeof natGatewayStrategies)[number];
export const natGatewayStrategy = oneOf(natGatewayStrategies);

/** RDS and ElastiCache Multi-AZ need two AZs; us-east-1 has six. */
export const availabilityZoneCount = wholeNumber(2, 6, "a whole number of AZs");

/** VPC CIDR blocks AWS accepts: /16 to /28; this project needs room for two subnets per AZ, so /24 at most. */
export const vpcCidrBlock = matching(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/, "an IPv4 CIDR block from /16 to /24");

/** A private DNS namespace of Cloud Map: two or more DNS labels. */
export const privateDnsNamespace = matching(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, "a private DNS name such as trading.internal");
/** One DNS label (a Cloud Map service name). */
export const dnsLabel = matching(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "a DNS label such as trading-bot");
export const securityGroupId = matching(/^sg-[0-9a-f]{8,17}$/, "a security group id such as sg-0123456789abcdef0");
export const prefixListId = matching(/^pl-[0-9a-f]{8,17}$/, "a managed prefix list id such as pl-0123456789abcdef0");
/** What a security group rule's description may hold (EC2: up to 255 of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*). */
export const ruleDescription = matching(/^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,200}$/, "up to 200 letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* naming who connects");

// ---- S3, EFS and the container ----

/** S3 adds 26 characters to a bucket prefix and allows 63: lower case, ending in - so the suffix reads apart. */
export const s3BucketPrefix = matching(/^[a-z0-9][a-z0-9-]{1,35}-$/, "lower-case letters, digits and -, ending in -, at most 37 characters");
/** The key of a JSON object the app reads from its config bucket. */
export const jsonObjectKey = matching(/^[A-Za-z0-9][A-Za-z0-9._/-]*\.json$/, "letters, digits, . _ / - and ending in .json");
/** A name the app reads from its environment. */
export const environmentVariableName = matching(/^[A-Z][A-Z0-9_]*$/, "an environment variable name (A-Z, 0-9, _)");
/** Where a volume is mounted in the container. */
export const absolutePath = matching(/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/, "an absolute path such as /data");
/** A file name without a folder. */
export const fileName = matching(/^[A-Za-z0-9._-]+$/, "a file name such as trading.db");

// ---- ECS and Fargate ----

/** Fargate task CPU units and, for each, the memory sizes (MiB) it may be paired with. */
export const fargateMemoryMiBByCpu: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};
export const fargateCpuUnits: readonly number[] = Object.keys(fargateMemoryMiBByCpu).map(Number);
export const fargateCpu = oneOf(fargateCpuUnits, "Fargate allows");

/** The memory sizes Fargate pairs with `cpu`; a `cpu` Fargate lacks is reported by `fargateCpu`. */
export function fargateMemoryMiB(cpu: unknown): Validator {
  const choices = fargateMemoryMiBByCpu[cpu as number];
  return (value) => (!choices || choices.includes(value as number) ? undefined : `Fargate allows with cpu ${cpu}: ${choices.join(", ")}`);
}

export const cpuArchitectures = ["X86_64", "ARM64"] as const;
export type CpuArchitecture = (typeof cpuArchitectures)[number];
export const cpuArchitecture = oneOf(cpuArchitectures);

export const capacityProviders = ["FARGATE", "FARGATE_SPOT"] as const;
export type CapacityProvider = (typeof capacityProviders)[number];
export const capacityProvider = oneOf(capacityProviders);

export const desiredCount = wholeNumber(0, 100, "tasks");
export const deploymentMinimumHealthyPercent = wholeNumber(0, 100, "a percentage");
export const deploymentMaximumPercent = wholeNumber(100, 200, "a percentage");

/** With a minimum of 100 % and a maximum of 100 %, ECS can neither stop nor start a task. */
export function rolloutRoom(minimumHealthyPercent: unknown): Validator {
  return (maximumPercent) =>
    minimumHealthyPercent === 100 && maximumPercent === 100
      ? "with deploymentMinimumHealthyPercent 100 ECS has no room to replace a task: allowed 101 to 200"
      : undefined;
}

/** A capacity provider strategy ECS accepts: each provider once, a base on one at most, some weight. */
export const capacityProviderStrategy: Validator = (value) => {
  const items = Array.isArray(value) ? (value as { capacityProvider?: unknown; weight?: unknown; base?: unknown }[]) : undefined;
  if (!items || items.length === 0) return "allowed: at least one of FARGATE, FARGATE_SPOT";
  const providers = items.map((item) => item.capacityProvider);
  if (new Set(providers).size !== providers.length) return "each capacity provider may appear once";
  if (items.filter((item) => Number(item.base ?? 0) > 0).length > 1) return "ECS allows a base on one capacity provider only";
  if (items.every((item) => item.weight === 0)) return "at least one capacity provider needs a weight above 0";
  return undefined;
};
export const capacityWeight = wholeNumber(0, 1000, "a weight");
export const capacityBase = wholeNumber(0, 100000, "tasks");

export const containerInsightsModes = ["enabled", "enhanced", "disabled"] as const;
export type ContainerInsights = (typeof containerInsightsModes)[number];
export const containerInsights = oneOf(containerInsightsModes);

/** Ports below 1024 need root in the container. */
export const containerPort = wholeNumber(1024, 65535, "a port");

/** An image a registry can pull by a tag or a digest; never the moving `latest` tag. */
export const imageReference: Validator = (value) => {
  const allowed = "allowed: an image reference with a tag or digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:1.4.2";
  if (typeof value !== "string" || !imagePattern.test(value)) return allowed;
  return /:latest$/i.test(value) ? `${allowed} (not latest)` : undefined;
};
const imagePattern = /^[a-z0-9][a-z0-9._-]*(:\d+)?(\/[a-z0-9][a-z0-9._-]*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$/;

/** ECS health check commands: `CMD` with the program and its arguments, or `CMD-SHELL` with one shell line. */
export const healthCheckCommand: Validator = (value) => {
  const allowed = 'allowed: ["CMD", <program>, <args>...] or ["CMD-SHELL", "<one shell line>"], e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]';
  if (!Array.isArray(value) || value.length < 2 || !value.every((part) => typeof part === "string" && part.length > 0)) return allowed;
  if (value[0] === "CMD") return undefined;
  return value[0] === "CMD-SHELL" && value.length === 2 ? undefined : allowed;
};
export const healthCheckIntervalSeconds = wholeNumber(5, 300, "seconds");
export const healthCheckTimeoutSeconds = wholeNumber(2, 120, "seconds");
export const healthCheckRetries = wholeNumber(1, 10, "retries");
export const healthCheckStartPeriodSeconds = wholeNumber(0, 300, "seconds");

/** How long `pulumi up` waits for the service to reach a steady state before it fails. */
export const deployTimeoutMinutes = wholeNumber(5, 120, "minutes");

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const logRetentionDaysAllowed: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
export const logRetentionDays = oneOf(logRetentionDaysAllowed, "CloudWatch Logs allows");

// ---- RDS PostgreSQL ----

/** RDS instance classes of the families that run PostgreSQL: db.<family>.<size>. */
export const rdsInstanceClass = matching(
  /^db\.(t3|t4g|m5|m5d|m6g|m6gd|m6i|m6id|m7g|m7i|m8g|r5|r5d|r6g|r6gd|r6i|r6id|r7g|r7i|r8g|x2g)\.(micro|small|medium|large|xlarge|[1-9][0-9]?xlarge)$/,
  "an RDS instance class such as db.t4g.small",
);
export const postgresEngineVersion = matching(/^1[4-8](\.\d+)?$/, "a PostgreSQL version from 14 to 18, e.g. 17 or 17.4");

/** gp3 storage RDS allocates, in GiB. */
export const gp3StorageGb = wholeNumber(20, 65536, "GiB of gp3");

/** The autoscaling ceiling is at least the allocated storage. */
export function maxAllocatedStorageGb(allocatedStorageGb: unknown): Validator {
  return (value) => {
    const inRange = gp3StorageGb(value);
    if (inRange) return inRange;
    return typeof allocatedStorageGb === "number" && (value as number) < allocatedStorageGb
      ? `allowed: at least allocatedStorageGb (${allocatedStorageGb})`
      : undefined;
  };
}

export const backupRetentionDays = wholeNumber(0, 35, "days");

/** Performance Insights retention: 0 (off), 7 (free tier), or a multiple of 31 up to 731. */
export const performanceInsightsRetentionDays: Validator = (value) =>
  value === 0 || value === 7 || value === 731 || (typeof value === "number" && value % 31 === 0 && value >= 31 && value <= 713)
    ? undefined
    : "allowed: 0 (off), 7, or a multiple of 31 up to 731";

/** RDS database and master user names; `rdsadmin` is RDS's own. */
export const postgresIdentifier = matching(/^[a-z][a-z0-9_]{0,62}$/, "lower-case letters, digits and _, starting with a letter");
/** RDS snapshot identifiers (255 characters): a letter first, then letters, digits and single hyphens; room is left for `-final-<8 hex digits>`. */
export const rdsSnapshotPrefix = matching(/^[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,239}$/, "letters, digits and single hyphens, starting with a letter, at most 240 characters");
export const postgresUsername: Validator = (value) =>
  postgresIdentifier(value) ?? (value === "rdsadmin" ? "allowed: any name but rdsadmin (RDS keeps it for itself)" : undefined);

/** An RDS DB instance identifier: a letter, then letters, digits and single hyphens, 63 at most, lower case (RDS stores it so). */
export const rdsInstanceIdentifier = matching(
  /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,62}$/,
  "a lower-case letter, then lower-case letters, digits and single hyphens, at most 63 characters, e.g. trading-bot-prod-db",
);

/** The parameter group family of a PostgreSQL version: `17.4` -> `postgres17`. */
export function postgresParameterGroupFamily(engineVersion: string): string {
  return `postgres${engineVersion.split(".")[0]}`;
}

const weekDays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const minutesOfDay = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const hhmm = "([01]\\d|2[0-3]):[0-5]\\d";
const backupWindowPattern = new RegExp(`^(${hhmm})-(${hhmm})$`);
const maintenanceWindowPattern = new RegExp(`^(${weekDays.join("|")}):(${hhmm})-(${weekDays.join("|")}):(${hhmm})$`);
const week = 7 * 1440;

/** A window as minutes from Monday 00:00 UTC: [start, start + length). A daily window gives one a day. */
interface Window {
  start: number;
  length: number;
}

function backupWindowOf(value: string): Window | undefined {
  const match = backupWindowPattern.exec(value);
  if (!match) return undefined;
  // Groups: 1 time (2 its hour), 3 time (4 its hour).
  const start = minutesOfDay(match[1]);
  return { start, length: (minutesOfDay(match[3]) - start + 1440) % 1440 };
}

function maintenanceWindowOf(value: string): Window | undefined {
  const match = maintenanceWindowPattern.exec(value);
  if (!match) return undefined;
  const start = weekDays.indexOf(match[1] as (typeof weekDays)[number]) * 1440 + minutesOfDay(match[2]);
  // Groups: 1 day, 2 time (3 its hour), 4 day, 5 time (6 its hour).
  const end = weekDays.indexOf(match[4] as (typeof weekDays)[number]) * 1440 + minutesOfDay(match[5]);
  return { start, length: (end - start + week) % week };
}

/** RDS's daily backup window, `hh24:mi-hh24:mi` in UTC, at least 30 minutes (it may pass midnight). */
export const rdsBackupWindow: Validator = (value) => {
  const window = typeof value === "string" ? backupWindowOf(value) : undefined;
  return window && window.length >= 30 ? undefined : "allowed: hh24:mi-hh24:mi in UTC, at least 30 minutes, e.g. 04:00-04:30";
};

/** RDS's weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` in UTC, 30 minutes to a day. */
export const rdsMaintenanceWindow: Validator = (value) => {
  const window = typeof value === "string" ? maintenanceWindowOf(value) : undefined;
  return window && window.length >= 30 && window.length <= 1440 ? undefined : "allowed: ddd:hh24:mi-ddd:hh24:mi in UTC, 30 minutes to a day, e.g. sun:05:00-sun:05:30";
};

/** RDS refuses a maintenance window that overlaps the daily backup window (checked for every day of the week). */
export function rdsWindowsApart(backupWindow: unknown): Validator {
  return (maintenanceWindow) => {
    const backup = typeof backupWindow === "string" ? backupWindowOf(backupWindow) : undefined;
    const maintenance = typeof maintenanceWindow === "string" ? maintenanceWindowOf(maintenanceWindow) : undefined;
    if (!backup || !maintenance) return undefined; // each format is its own check
    const overlaps = weekDays.some((_, day) => {
      const start = day * 1440 + backup.start;
      // Two windows on a circle of a week meet when either starts inside the other.
      const inside = (point: number, window: Window) => (point - window.start + week) % week < window.length;
      return inside(start % week, maintenance) || inside(maintenance.start, { start: start % week, length: backup.length });
    });
    return overlaps ? `allowed: a maintenance window apart from the daily backup window ${backupWindow} (RDS refuses them overlapping)` : undefined;
  };
}

// ---- ElastiCache ----

export const cacheEngines = ["redis", "valkey"] as const;
export type CacheEngine = (typeof cacheEngines)[number];
export const cacheEngine = oneOf(cacheEngines);
export const cacheEngineVersion = matching(/^\d+\.\d+$/, "major.minor, e.g. 7.1 (redis) or 8.0 (valkey)");

/** ElastiCache node types: cache.<family>.<size>. */
export const cacheNodeType = matching(
  /^cache\.(t3|t4g|m5|m6g|m7g|r5|r6g|r6gd|r7g|c7gn)\.(micro|small|medium|large|xlarge|[1-9][0-9]?xlarge)$/,
  "an ElastiCache node type such as cache.t4g.small",
);
export const cacheShards = wholeNumber(1, 500, "shards");
/** Replicas per shard; 0 is allowed (a node lost loses its shard's data until replaced), but Multi-AZ needs one. */
export const cacheReplicasPerShard = wholeNumber(0, 5, "replicas");

/** Multi-AZ places a shard's replica in another AZ: there must be one. */
export function cacheMultiAz(replicasPerShard: unknown): Validator {
  return (multiAz) =>
    multiAz === true && replicasPerShard === 0 ? "allowed: false with replicasPerShard 0 (Multi-AZ needs a replica in another AZ)" : undefined;
}
export const cacheSnapshotRetentionDays = wholeNumber(0, 35, "days");

/** The sidecar Redis's `maxmemory`, in MiB. */
export const localRedisMaxMemoryMiB = wholeNumber(16, 4096, "MiB");

// ---- Secrets Manager ----

/** Days Secrets Manager waits before deleting a secret: 0 (at once) or 7 to 30. */
export const secretRecoveryWindowDays: Validator = (value) =>
  value === 0 || (typeof value === "number" && Number.isInteger(value) && value >= 7 && value <= 30)
    ? undefined
    : "Secrets Manager allows 0 (delete at once) or 7 to 30";

// ---- CloudWatch alarms ----

export const severities = ["info", "warning", "critical"] as const;
export type Severity = (typeof severities)[number];
export const severity = oneOf(severities);

export const comparisonOperators = [
  "GreaterThanThreshold",
  "GreaterThanOrEqualToThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];
export const comparisonOperator = oneOf(comparisonOperators);

export const metricStatistics = ["Average", "Sum", "Minimum", "Maximum", "SampleCount"] as const;
export type MetricStatistic = (typeof metricStatistics)[number];
export const metricStatistic = oneOf(metricStatistics);

export const missingDataTreatments = ["breaching", "notBreaching", "ignore", "missing"] as const;
export type MissingDataTreatment = (typeof missingDataTreatments)[number];
export const missingDataTreatment = oneOf(missingDataTreatments);

export const alarmRuleName = matching(/^[A-Za-z][A-Za-z0-9-]*$/, "letters, digits and -, starting with a letter");
/** PutMetricAlarm's namespace and metric name: up to 255 characters of this set. */
export const cloudWatchNamespace = matching(/^[A-Za-z0-9/_.#:-]{1,255}$/, "a CloudWatch namespace such as AWS/ECS");
export const metricName = matching(/^[A-Za-z0-9_.-]{1,255}$/, "a metric name");

/** Alarm periods of a minute or more are multiples of 60 seconds. */
export const alarmPeriodSeconds: Validator = (value) =>
  typeof value === "number" && Number.isInteger(value) && value >= 60 && value % 60 === 0 ? undefined : "allowed: a multiple of 60 seconds";

/** PutDashboard: alphanumerics, - and _, up to 255 characters. */
export const dashboardName = matching(/^[A-Za-z0-9_-]{1,255}$/, "letters, digits, - and _ (at most 255), e.g. trading-bot-prod");
/** The dashboard body's alarm widget lists 1 to 100 alarm ARNs. */
export const alarmWidgetMaxAlarms = 100;

/** CloudWatch evaluates at most one day of periods. */
export function alarmEvaluationPeriods(periodSeconds: unknown): Validator {
  return (value) => {
    const problem = wholeNumber(1, 1440, "periods")(value);
    if (problem) return problem;
    const seconds = typeof periodSeconds === "number" ? periodSeconds * (value as number) : 0;
    return seconds > 86400 ? `allowed: at most one day of periods (${86400 / (periodSeconds as number)} of ${periodSeconds} s)` : undefined;
  };
}

/** M of an "M out of N" alarm: at least one, at most the evaluation periods (PutMetricAlarm's DatapointsToAlarm). */
export function alarmDatapointsToAlarm(evaluationPeriods: unknown): Validator {
  return (value) => {
    const most = typeof evaluationPeriods === "number" && Number.isInteger(evaluationPeriods) && evaluationPeriods >= 1 ? evaluationPeriods : 1;
    return wholeNumber(1, most, "datapoints")(value) === undefined ? undefined : `allowed: datapoints from 1 to evaluationPeriods (${most})`;
  };
}

/** The id the alarm's metric math expression gets; the metrics it reads take other ids. */
export const metricMathResultId = "result";

/** A metric query id: a lower-case letter, then letters, digits and _ (PutMetricAlarm's MetricDataQuery Id). */
export const metricQueryId: Validator = (value) => {
  if (typeof value !== "string" || !/^[a-z][A-Za-z0-9_]{0,254}$/.test(value)) return "allowed: an id of a lower-case letter, then letters, digits and _, e.g. running";
  return value === metricMathResultId ? `allowed: any id but ${metricMathResultId} (the expression's own)` : undefined;
};

/**
 * A metric math expression over the given metric ids: arithmetic, comparisons and upper-case
 * functions (IF, FILL, ...), no strings (SEARCH is not allowed in alarms), every lower-case
 * name one of the ids, and every id used.
 */
export function metricMathExpression(ids: readonly string[]): Validator {
  return (value) => {
    const allowed = `allowed: an expression of ${ids.join(", ")} such as ${ids.slice(0, 2).join(" - ") || "m1 * 2"} (numbers, + - * / ^, comparisons, upper-case functions)`;
    if (typeof value !== "string" || value.trim() === "" || value.length > 1024 || !/^[A-Za-z0-9_.\s+\-*/^()<>=!,&|]+$/.test(value)) return allowed;
    const names: string[] = value.match(/\b[a-z][A-Za-z0-9_]*\b/g) ?? [];
    const unknown = [...new Set(names.filter((name) => !ids.includes(name)))];
    if (unknown.length > 0) return `${allowed}; ${unknown.join(", ")} is not one of them`;
    const unused = ids.filter((id) => !names.includes(id));
    return unused.length > 0 ? `${allowed}; ${unused.join(", ")} is read but not used` : undefined;
  };
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}
