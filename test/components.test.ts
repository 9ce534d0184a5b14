// Each component checks its own arguments before creating anything, and names the
// argument and what is allowed.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AlertRule, Alerts, AlertsArgs } from "../infra/alerts";
import { AppSecrets, AppSecretsArgs } from "../infra/appSecrets";
import { ConfigBucket, ConfigBucketArgs } from "../infra/configBucket";
import { LocalRedis, LocalRedisArgs } from "../infra/localRedis";
import { Network, NetworkArgs } from "../infra/network";
import { PostgresDatabase, PostgresDatabaseArgs } from "../infra/postgresDatabase";
import { RedisCluster, RedisClusterArgs } from "../infra/redisCluster";
import { SqliteVolume, SqliteVolumeArgs } from "../infra/sqliteVolume";
import { TaskSecurityGroup, TaskSecurityGroupArgs } from "../infra/taskSecurityGroup";
import { TradingBotService, TradingBotServiceArgs } from "../infra/tradingBotService";
import { StackConfigError, parseStackConfig } from "../stacks/config";
import { runUnderMocks } from "../tools/engine/mockRun";
import { parseProgramConfig, withPlaceholderSecrets } from "../tools/engine/stackFile";
import { repoRoot, unitDatabaseArgs, unitServiceArgs } from "./helpers";

/** Runs `create` as a program under mocks and returns the error it threw. */
async function errorOf(create: () => unknown): Promise<string> {
  try {
    await runUnderMocks({ stack: "unit", config: {}, secretKeys: [] }, async () => {
      create();
      return {};
    });
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
}

const vpc = { vpcId: "vpc-1", subnetIds: ["subnet-1", "subnet-2"] };

const network: NetworkArgs = { vpc: { availabilityZoneCount: 2, natGateways: "None", cidrBlock: "10.0.0.0/16" } };
const existingNetwork: NetworkArgs = {
  existing: { vpcId: "vpc-9", privateSubnetIds: ["subnet-a", "subnet-b"], publicSubnetIds: ["subnet-c", "subnet-d"], availabilityZoneCount: 2 },
};
const secrets: AppSecretsArgs = { values: { BYBIT_API_KEY: "k" }, namePrefix: "trading-bot/unit/", recoveryWindowDays: 7 };
const postgres: PostgresDatabaseArgs = unitDatabaseArgs;
const sqlite: SqliteVolumeArgs = { ...vpc, availabilityZoneCount: 2, dailyBackup: true, mountPath: "/data", databaseFileName: "trading.db" };
const cluster: RedisClusterArgs = {
  ...vpc,
  engine: "valkey",
  engineVersion: "8.0",
  nodeType: "cache.t4g.small",
  shards: 1,
  replicasPerShard: 1,
  multiAz: true,
  snapshotRetentionDays: 7,
};
const localRedis: LocalRedisArgs = { image: "redis:7.4-alpine", maxMemoryMiB: 64 };
const bucket: ConfigBucketArgs = { bucketPrefix: "trading-config-unit-", jsonObjects: { "trading-config.json": {} }, region: "us-east-1", forceDestroy: false };
const tasks: TaskSecurityGroupArgs = { vpcId: "vpc-1", description: "Unit tasks" };
const service: TradingBotServiceArgs = unitServiceArgs;
const healthCheck = { command: ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"], intervalSeconds: 30, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 60 };
const rule: AlertRule = {
  name: "ServiceDown",
  severity: "critical",
  description: "down",
  metric: { namespace: "AWS/ECS", metricName: "CPUUtilization", statistic: "SampleCount", dimensions: {} },
  comparison: "LessThanThreshold",
  threshold: 1,
  periodSeconds: 60,
  evaluationPeriods: 1,
  treatMissingData: "breaching",
};
const alerts: AlertsArgs = { alarmNamePrefix: "unit-", rules: [rule], emails: {} };
const fargateCpus = "256, 512, 1024, 2048, 4096, 8192, 16384";
const logRetentions = "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653";

type Case = [string, () => unknown, string];
const cases: Case[] = [
  ["Network with both a new and an existing VPC", () => new Network("n", { ...network, ...existingNetwork }),
    'Network n: set exactly one of "vpc" and "existing"'],
  ["Network with neither", () => new Network("n", {}), 'Network n: set exactly one of "vpc" and "existing"'],
  ["Network with one AZ", () => new Network("n", { vpc: { ...network.vpc!, availabilityZoneCount: 1 } }),
    "Network n: vpc.availabilityZoneCount is 1; allowed: a whole number of AZs from 2 to 6"],
  ["Network with an unknown NAT strategy", () => new Network("n", { vpc: { ...network.vpc!, natGateways: "Two" as never } }),
    'Network n: vpc.natGateways is "Two"; allowed: None, Single, OnePerAz'],
  ["Network with a /8 VPC", () => new Network("n", { vpc: { ...network.vpc!, cidrBlock: "10.0.0.0/8" } }),
    'Network n: vpc.cidrBlock is "10.0.0.0/8"; allowed: an IPv4 CIDR block from /16 to /24'],
  ["an existing Network said to span 7 AZs", () => new Network("n", { existing: { ...existingNetwork.existing!, availabilityZoneCount: 7 } }),
    "Network n: existing.availabilityZoneCount is 7; allowed: a whole number of AZs from 2 to 6"],
  ["AppSecrets with a recovery window of 3 days", () => new AppSecrets("s", { ...secrets, recoveryWindowDays: 3 }),
    "AppSecrets s: recoveryWindowDays is 3; Secrets Manager allows 0 (delete at once) or 7 to 30"],
  ["AppSecrets with a lower-case variable", () => new AppSecrets("s", { ...secrets, values: { bybit_key: "k" } }),
    'AppSecrets s: a secret\'s key is "bybit_key"; allowed: an environment variable name (A-Z, 0-9, _)'],
  ["AppSecrets with a value both given and generated", () => new AppSecrets("s", { ...secrets, generated: { BYBIT_API_KEY: { lengthChars: 32 } } }),
    'AppSecrets s: BYBIT_API_KEY is both given in "values" and listed in "generated"; choose one'],
  ["a valueFrom of a key AppSecrets does not hold", () => new AppSecrets("s", secrets).valueFrom("SECRET_KEY"),
    "AppSecrets: no key SECRET_KEY; it holds BYBIT_API_KEY"],
  ["PostgresDatabase with a cache node type", () => new PostgresDatabase("d", { ...postgres, instanceClass: "cache.t4g.small" }),
    'PostgresDatabase d: instanceClass is "cache.t4g.small"; allowed: an RDS instance class such as db.t4g.small'],
  ["PostgresDatabase with PostgreSQL 19", () => new PostgresDatabase("d", { ...postgres, engineVersion: "19" }),
    'PostgresDatabase d: engineVersion is "19"; allowed: a PostgreSQL version from 14 to 18, e.g. 17 or 17.4'],
  ["PostgresDatabase with the reserved user rdsadmin", () => new PostgresDatabase("d", { ...postgres, username: "rdsadmin" }),
    'PostgresDatabase d: username is "rdsadmin"; allowed: any name but rdsadmin (RDS keeps it for itself)'],
  ["PostgresDatabase with a database name with a dash", () => new PostgresDatabase("d", { ...postgres, databaseName: "trading-db" }),
    'PostgresDatabase d: databaseName is "trading-db"; allowed: lower-case letters, digits and _, starting with a letter'],
  ["PostgresDatabase with 10 GiB", () => new PostgresDatabase("d", { ...postgres, allocatedStorageGb: 10 }),
    "PostgresDatabase d: allocatedStorageGb is 10; allowed: GiB of gp3 from 20 to 65536"],
  ["PostgresDatabase with autoscaling below allocation", () => new PostgresDatabase("d", { ...postgres, allocatedStorageGb: 50, maxAllocatedStorageGb: 40 }),
    "PostgresDatabase d: maxAllocatedStorageGb is 40; allowed: at least allocatedStorageGb (50)"],
  ["PostgresDatabase with 36 days of backups", () => new PostgresDatabase("d", { ...postgres, backupRetentionDays: 36 }),
    "PostgresDatabase d: backupRetentionDays is 36; allowed: days from 0 to 35"],
  ["PostgresDatabase with 30 days of Performance Insights", () => new PostgresDatabase("d", { ...postgres, performanceInsightsRetentionDays: 30 }),
    "PostgresDatabase d: performanceInsightsRetentionDays is 30; allowed: 0 (off), 7, or a multiple of 31 up to 731"],
  ["PostgresDatabase with a snapshot prefix holding two hyphens", () => new PostgresDatabase("d", { ...postgres, finalSnapshotPrefix: "trading--db" }),
    'PostgresDatabase d: finalSnapshotPrefix is "trading--db"; allowed: letters, digits and single hyphens, starting with a letter, at most 240 characters'],
  ["SqliteVolume with no AZ", () => new SqliteVolume("v", { ...sqlite, availabilityZoneCount: 0 }),
    "SqliteVolume v: availabilityZoneCount is 0; allowed: a whole number of AZs from 2 to 6"],
  ["SqliteVolume with a relative mount path", () => new SqliteVolume("v", { ...sqlite, mountPath: "data" }),
    'SqliteVolume v: mountPath is "data"; allowed: an absolute path such as /data'],
  ["SqliteVolume with a file name holding a path", () => new SqliteVolume("v", { ...sqlite, databaseFileName: "db/trading.db" }),
    'SqliteVolume v: databaseFileName is "db/trading.db"; allowed: a file name such as trading.db'],
  ["RedisCluster with memcached", () => new RedisCluster("c", { ...cluster, engine: "memcached" as never }),
    'RedisCluster c: engine is "memcached"; allowed: redis, valkey'],
  ["RedisCluster with a patch version", () => new RedisCluster("c", { ...cluster, engineVersion: "7.1.0" }),
    'RedisCluster c: engineVersion is "7.1.0"; allowed: major.minor, e.g. 7.1 (redis) or 8.0 (valkey)'],
  ["RedisCluster with an RDS class", () => new RedisCluster("c", { ...cluster, nodeType: "db.t4g.small" }),
    'RedisCluster c: nodeType is "db.t4g.small"; allowed: an ElastiCache node type such as cache.t4g.small'],
  ["RedisCluster with no shard", () => new RedisCluster("c", { ...cluster, shards: 0 }),
    "RedisCluster c: shards is 0; allowed: shards from 1 to 500"],
  ["RedisCluster with six replicas", () => new RedisCluster("c", { ...cluster, replicasPerShard: 6 }),
    "RedisCluster c: replicasPerShard is 6; allowed: replicas from 0 to 5"],
  ["RedisCluster Multi-AZ without a replica", () => new RedisCluster("c", { ...cluster, replicasPerShard: 0 }),
    "RedisCluster c: multiAz is true; allowed: false with replicasPerShard 0 (Multi-AZ needs a replica in another AZ)"],
  ["RedisCluster with 40 days of snapshots", () => new RedisCluster("c", { ...cluster, snapshotRetentionDays: 40 }),
    "RedisCluster c: snapshotRetentionDays is 40; allowed: days from 0 to 35"],
  ["LocalRedis on :latest", () => new LocalRedis("r", { ...localRedis, image: "redis:latest" }),
    'LocalRedis r: image is "redis:latest"; allowed: an image reference with a tag or digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:1.4.2 (not latest)'],
  ["LocalRedis with 8 MiB", () => new LocalRedis("r", { ...localRedis, maxMemoryMiB: 8 }),
    "LocalRedis r: maxMemoryMiB is 8; allowed: MiB from 16 to 4096"],
  ["ConfigBucket with an upper-case prefix", () => new ConfigBucket("b", { ...bucket, bucketPrefix: "Trading-" }),
    'ConfigBucket b: bucketPrefix is "Trading-"; allowed: lower-case letters, digits and -, ending in -, at most 37 characters'],
  ["ConfigBucket with a YAML object", () => new ConfigBucket("b", { ...bucket, jsonObjects: { "config.yaml": {} } }),
    'ConfigBucket b: a jsonObjects key is "config.yaml"; allowed: letters, digits, . _ / - and ending in .json'],
  ["TradingBotService with 300 CPU units", () => new TradingBotService("t", { ...service, cpu: 300 }),
    `TradingBotService t: cpu is 300; Fargate allows ${fargateCpus}`],
  ["TradingBotService with 4 GiB on 256 CPU", () => new TradingBotService("t", { ...service, memoryMiB: 4096 }),
    "TradingBotService t: memoryMiB is 4096; Fargate allows with cpu 256: 512, 1024, 2048"],
  ["TradingBotService on a CPU architecture Fargate lacks", () => new TradingBotService("t", { ...service, cpuArchitecture: "ARM32" as never }),
    'TradingBotService t: cpuArchitecture is "ARM32"; allowed: X86_64, ARM64'],
  ["TradingBotService with -1 tasks", () => new TradingBotService("t", { ...service, desiredCount: -1 }),
    "TradingBotService t: desiredCount is -1; allowed: tasks from 0 to 100"],
  ["TradingBotService with min healthy 101 %", () => new TradingBotService("t", { ...service, deploymentMinimumHealthyPercent: 101 }),
    "TradingBotService t: deploymentMinimumHealthyPercent is 101; allowed: a percentage from 0 to 100"],
  ["TradingBotService with max 99 %", () => new TradingBotService("t", { ...service, deploymentMaximumPercent: 99 }),
    "TradingBotService t: deploymentMaximumPercent is 99; allowed: a percentage from 100 to 200"],
  ["TradingBotService that can never replace a task", () =>
      new TradingBotService("t", { ...service, deploymentMinimumHealthyPercent: 100, deploymentMaximumPercent: 100 }),
    "TradingBotService t: deploymentMaximumPercent is 100; with deploymentMinimumHealthyPercent 100 ECS has no room to replace a task: allowed 101 to 200"],
  ["TradingBotService waiting 2 minutes for its tasks", () => new TradingBotService("t", { ...service, deployTimeoutMinutes: 2 }),
    "TradingBotService t: deployTimeoutMinutes is 2; allowed: minutes from 5 to 120"],
  ["TradingBotService with no capacity provider", () => new TradingBotService("t", { ...service, capacityProviderStrategy: [] }),
    "TradingBotService t: capacityProviderStrategy is []; allowed: at least one of FARGATE, FARGATE_SPOT"],
  ["TradingBotService with 10-day logs", () => new TradingBotService("t", { ...service, logRetentionDays: 10 }),
    `TradingBotService t: logRetentionDays is 10; CloudWatch Logs allows ${logRetentions}`],
  ["TradingBotService with a health check that is not an ECS command", () =>
      new TradingBotService("t", { ...service, healthCheck: { ...healthCheck, command: ["curl", "-f", "http://localhost:8080/health"] } }),
    'TradingBotService t: healthCheck.command is ["curl","-f","http://localhost:8080/health"]; allowed: ["CMD", <program>, <args>...] or ["CMD-SHELL", "<one shell line>"], e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]'],
  ["TradingBotService with a health check every second", () =>
      new TradingBotService("t", { ...service, healthCheck: { ...healthCheck, intervalSeconds: 1 } }),
    "TradingBotService t: healthCheck.intervalSeconds is 1; allowed: seconds from 5 to 300"],
  ["TradingBotService with a service discovery namespace of one label", () =>
      new TradingBotService("t", { ...service, serviceDiscovery: { namespace: "internal", serviceName: "trading-bot" } }),
    'TradingBotService t: serviceDiscovery.namespace is "internal"; allowed: a private DNS name such as trading.internal'],
  ["TradingBotService with a service discovery name holding a dot", () =>
      new TradingBotService("t", { ...service, serviceDiscovery: { namespace: "trading.internal", serviceName: "trading.bot" } }),
    'TradingBotService t: serviceDiscovery.serviceName is "trading.bot"; allowed: a DNS label such as trading-bot'],
  ["TradingBotService with a sidecar named like the app", () =>
      new TradingBotService("t", { ...service, attachments: [{ sidecars: [{ name: "trading-bot", image: "x:1", essential: true }] }] }),
    'TradingBotService t: attachments is "trading-bot"; allowed: distinct container names'],
  ["TradingBotService given one variable twice", () =>
      new TradingBotService("t", { ...service, attachments: [{ environment: { LOG_LEVEL: "DEBUG" } }] }),
    "TradingBotService t: environment variable LOG_LEVEL is set twice"],
  ["TradingBotService given a secret that is also plain", () =>
      new TradingBotService("t", { ...service, attachments: [{ secrets: [{ name: "LOG_LEVEL", valueFrom: "arn:x" }] }] }),
    "TradingBotService t: LOG_LEVEL is given twice (as a secret and again as a secret or plain variable)"],
  ["Alerts with a rule name holding a space", () => new Alerts("a", { ...alerts, rules: [{ ...rule, name: "Service Down" }] }),
    'Alerts a: rule Service Down: name is "Service Down"; allowed: letters, digits and -, starting with a letter'],
  ["Alerts with two rules of one name", () => new Alerts("a", { ...alerts, rules: [rule, rule] }),
    "Alerts a: rule ServiceDown: the name is used twice"],
  ["Alerts with a rule with both metric and ratio", () =>
      new Alerts("a", { ...alerts, rules: [{ ...rule, ratio: { numerator: rule.metric!, denominator: rule.metric! } }] }),
    'Alerts a: rule ServiceDown: set exactly one of "metric", "ratio" and "metricMath"'],
  ["Alerts with an unknown severity", () => new Alerts("a", { ...alerts, rules: [{ ...rule, severity: "page" as never }] }),
    'Alerts a: rule ServiceDown: severity is "page"; allowed: info, warning, critical'],
  ["Alerts with an unknown comparison", () => new Alerts("a", { ...alerts, rules: [{ ...rule, comparison: "Below" as never }] }),
    'Alerts a: rule ServiceDown: comparison is "Below"; allowed: GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold'],
  ["Alerts with a namespace holding a space", () => new Alerts("a", { ...alerts, rules: [{ ...rule, metric: { ...rule.metric!, namespace: "AWS ECS" } }] }),
    'Alerts a: rule ServiceDown: metric.namespace is "AWS ECS"; allowed: a CloudWatch namespace such as AWS/ECS'],
  ["Alerts with a ratio whose denominator has no metric name", () =>
      new Alerts("a", { ...alerts, rules: [{ ...rule, metric: undefined, ratio: { numerator: rule.metric!, denominator: { ...rule.metric!, metricName: "" } } }] }),
    'Alerts a: rule ServiceDown: ratio.denominator.metricName is ""; allowed: a metric name'],
  ["Alerts with a 90-second period", () => new Alerts("a", { ...alerts, rules: [{ ...rule, periodSeconds: 90 }] }),
    "Alerts a: rule ServiceDown: periodSeconds is 90; allowed: a multiple of 60 seconds"],
  ["Alerts with more datapoints to alarm than evaluation periods", () => new Alerts("a", { ...alerts, rules: [{ ...rule, evaluationPeriods: 3, datapointsToAlarm: 4 }] }),
    "Alerts a: rule ServiceDown: datapointsToAlarm is 4; allowed: datapoints from 1 to evaluationPeriods (3)"],
  ["Alerts with no datapoint to alarm", () => new Alerts("a", { ...alerts, rules: [{ ...rule, evaluationPeriods: 3, datapointsToAlarm: 0 }] }),
    "Alerts a: rule ServiceDown: datapointsToAlarm is 0; allowed: datapoints from 1 to evaluationPeriods (3)"],
  ["Alerts with both metric and metricMath", () =>
      new Alerts("a", { ...alerts, rules: [{ ...rule, metricMath: { expression: "m * 2", metrics: { m: rule.metric! } } }] }),
    'Alerts a: rule ServiceDown: set exactly one of "metric", "ratio" and "metricMath"'],
  ["Alerts with metric math over no metric", () => new Alerts("a", { ...alerts, rules: [{ ...rule, metric: undefined, metricMath: { expression: "1", metrics: {} } }] }),
    "Alerts a: rule ServiceDown: metricMath.metrics has 0 metrics; allowed: 1 to 10 (CloudWatch's limit for an alarm)"],
  ["Alerts with metric math over the expression's own id", () =>
      new Alerts("a", { ...alerts, rules: [{ ...rule, metric: undefined, metricMath: { expression: "result * 2", metrics: { result: rule.metric! } } }] }),
    'Alerts a: rule ServiceDown: a metricMath metric id is "result"; allowed: any id but result (the expression\'s own)'],
  ["Alerts with metric math naming an id it does not read", () =>
      new Alerts("a", { ...alerts, rules: [{ ...rule, metric: undefined, metricMath: { expression: "desired - running", metrics: { desired: rule.metric! } } }] }),
    'Alerts a: rule ServiceDown: metricMath.expression is "desired - running"; allowed: an expression of desired such as desired (numbers, + - * / ^, comparisons, upper-case functions); running is not one of them'],
  ["Alerts with a metric math metric without a statistic", () =>
      new Alerts("a", { ...alerts, rules: [{ ...rule, metric: undefined, metricMath: { expression: "m", metrics: { m: { ...rule.metric!, statistic: "Median" as never } } } }] }),
    'Alerts a: rule ServiceDown: metricMath.metrics.m.statistic is "Median"; allowed: Average, Sum, Minimum, Maximum, SampleCount'],
  ["Alerts with zero evaluation periods", () => new Alerts("a", { ...alerts, rules: [{ ...rule, evaluationPeriods: 0 }] }),
    "Alerts a: rule ServiceDown: evaluationPeriods is 0; allowed: periods from 1 to 1440"],
  ["Alerts looking back more than a day", () => new Alerts("a", { ...alerts, rules: [{ ...rule, periodSeconds: 3600, evaluationPeriods: 25 }] }),
    "Alerts a: rule ServiceDown: evaluationPeriods is 25; allowed: at most one day of periods (24 of 3600 s)"],
];

/** What the schema says of prod's file with `from` replaced by `to`, after "<file>: <key> is <value>; ". */
function schemaWords(from: string, to: string): string {
  const text = fs.readFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), "utf8");
  assert.ok(text.includes(from), from);
  const file = withPlaceholderSecrets(parseProgramConfig("prod", text.replace(from, to)));
  try {
    parseStackConfig("prod", file.config, (key) => file.secretKeys.includes(key));
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems[0].replace(/^[^;]*; /, "");
    throw error;
  }
  return "accepted";
}

describe("the schema and the components refuse a value with the same words", () => {
  const pairs: [string, [string, string], () => unknown][] = [
    ["300 CPU units", ["cpu: 1024", "cpu: 300"], () => new TradingBotService("t", { ...service, cpu: 300 })],
    ["10-day logs", ["logRetentionDays: 90", "logRetentionDays: 10"], () => new TradingBotService("t", { ...service, logRetentionDays: 10 })],
    ["36 days of backups", ["backupRetentionDays: 14", "backupRetentionDays: 36"], () => new PostgresDatabase("d", { ...postgres, backupRetentionDays: 36 })],
    ["a maintenance window inside the backup window", ["maintenanceWindow: sun:05:00-sun:05:30", "maintenanceWindow: wed:04:10-wed:04:40"],
      () => new PostgresDatabase("d", { ...postgres, maintenanceWindow: "wed:04:10-wed:04:40" })],
    ["an identifier with capitals", ["identifier: trading-bot-prod-db", "identifier: Trading-Bot"], () => new PostgresDatabase("d", { ...postgres, identifier: "Trading-Bot" })],
  ];
  for (const [what, [from, to], create] of pairs) {
    it(`refuses ${what} in both, in the same words`, async () => {
      const words = schemaWords(from, to);
      assert.notEqual(words, "accepted");
      assert.equal((await errorOf(create)).replace(/^[^;]*; /, ""), words);
    });
  }
});

describe("AppSecrets names the version in every valueFrom, so any new value is a new task definition", () => {
  const values = { BYBIT_API_KEY: "k1", BYBIT_SECRET_KEY: "s1", SECRET_KEY: "a1", DATADOG_API_KEY: "d1", SENTRY_DSN: "https://x@sentry.example/1", DATA_SYNC_KEY: "y1", DATABASE_URL: "postgresql://u:p@h:5432/d", REDIS_URL: "rediss://:t@c:6379" };
  /** The service's containers JSON and the stored version id, for these secret values. */
  const taskOf = (secretValues: Record<string, string>) =>
    runUnderMocks({ stack: "unit", config: {}, secretKeys: [] }, async () => {
      const appSecrets = new AppSecrets("s", { ...secrets, values: secretValues });
      const bot = new TradingBotService("t", { ...service, attachments: [appSecrets.attachmentFor(appSecrets.keys)] });
      return { containers: bot.taskDefinition.containerDefinitions, versionId: appSecrets.versionId };
    }).then((run) => run.outputs as { containers: string; versionId: string });
  let original: { containers: string; versionId: string };
  before(async () => {
    original = await taskOf(values);
  });

  it("reads each key as <arn>:<KEY>::<versionId>; the same values give the same task definition", async () => {
    const secretsOf = (json: string) => (JSON.parse(json)[0].secrets as { name: string; valueFrom: string }[]).map((s) => s.valueFrom.replace(/^.*?:(?=[A-Z_]+::)/, ""));
    assert.deepEqual(secretsOf(original.containers), Object.keys(values).sort().map((key) => `${key}::${original.versionId}`));
    assert.deepEqual(await taskOf({ ...values }), original);
  });

  for (const key of Object.keys(values) as (keyof typeof values)[]) {
    it(`a new ${key}: a new version id and a new task definition`, async () => {
      const after = await taskOf({ ...values, [key]: `${values[key]}-new` });
      assert.notEqual(after.versionId, original.versionId);
      assert.notEqual(after.containers, original.containers);
    });
  }
});

describe("component argument checks", () => {
  for (const [what, create, message] of cases) {
    it(`refuses ${what}`, async () => assert.equal(await errorOf(create), message));
  }

  it("accepts every base argument set as it stands", async () => {
    const created = await runUnderMocks({ stack: "unit", config: {}, secretKeys: [] }, async () => {
      const components = [
        new Network("n", network),
        new AppSecrets("s", secrets),
        new PostgresDatabase("d", postgres),
        new SqliteVolume("v", sqlite),
        new RedisCluster("c", cluster),
        new LocalRedis("r", localRedis),
        new ConfigBucket("b", bucket),
        new TradingBotService("t", service),
        new Alerts("a", alerts),
        new TaskSecurityGroup("g", tasks),
        new Network("e", existingNetwork),
      ];
      return { count: components.length, stack: pulumi.getStack() };
    });
    assert.deepEqual(created.outputs, { count: 11, stack: "unit" });
    assert.deepEqual(
      created.resources.filter((r) => !r.custom && r.type.startsWith("trading-bot:infra:")).map((r) => r.type),
      ["Network", "AppSecrets", "PostgresDatabase", "SqliteVolume", "RedisCluster", "LocalRedis", "ConfigBucket", "TradingBotService", "Alerts", "TaskSecurityGroup", "Network"].map(
        (name) => `trading-bot:infra:${name}`,
      ),
    );
  });
});
