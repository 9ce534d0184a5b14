// The stack config schema: the one place that says what `Pulumi.<stack>.yaml` may hold.
// Every difference between dev and prod is a value here, never a branch in code.
import { z } from "zod";
import * as limits from "../infra/limits";
import type { Validator } from "../infra/limits";
import { type Environment, environments, isProductionStack, nameEnvironmentConflict, productionReason, projectName } from "../packages/stack-files/src/production";
import { allowedAccountOf, otherKeyProblem, secretValueProblem } from "./stackFileKeys";
import { stackNameProblem, stackNameRule } from "../packages/stack-files/src/stackName";
import { withYamlSource } from "../packages/stack-files/src/yamlSource";


/** The permissions boundary the account's bootstrap creates (bootstrap/program.ts names it from here). */
export const permissionsBoundaryName = "trading-bot-permissions-boundary";

/** A secret config key: set with `pulumi config set --secret`, read as a Pulumi secret, never printed. */
export interface SecretConfigKeyInfo {
  /** The program refuses to run without it. */
  required: boolean;
  /** The variable it is read as (a key of the stack's one Secrets Manager secret). */
  variable: string;
  /** Which task reads it: the bot, or the data-sync task. */
  readBy: "app" | "dataSync";
  /** When not set, Pulumi generates a value of this many characters once ... */
  generatedLengthChars?: number;
  /** ... in the stacks that need one. @default every stack */
  generatedWhen?: (settings: StackSettings) => boolean;
}

/** Every secret config key of the project. */
export const secretConfigKeys = {
  bybitApiKey: { required: true, variable: "BYBIT_API_KEY", readBy: "app" },
  bybitSecretKey: { required: true, variable: "BYBIT_SECRET_KEY", readBy: "app" },
  secretKey: { required: false, variable: "SECRET_KEY", readBy: "app", generatedLengthChars: 64 },
  /** The article's production monitoring: optional in every stack. */
  datadogApiKey: { required: false, variable: "DATADOG_API_KEY", readBy: "app" },
  sentryDsn: { required: false, variable: "SENTRY_DSN", readBy: "app" },
  /** The anonymisation key: it stays in the stack that exports, where the anonymising happens. */
  dataSyncKey: {
    required: false,
    variable: "DATA_SYNC_KEY",
    readBy: "dataSync",
    generatedLengthChars: 64,
    generatedWhen: (settings: StackSettings) => settings.dataSync?.export === true,
  },
} as const satisfies Record<string, SecretConfigKeyInfo>;
export type SecretConfigKey = keyof typeof secretConfigKeys;

/**
 * How env-sync treats a key: `shared` keys are application settings both environments
 * should agree on and may be copied between stacks; everything else is environment-specific.
 */
export type SyncMeta = { sync: "shared" };

export { type Environment, environments, projectName };
const shared: SyncMeta = { sync: "shared" };

// ---- value helpers: every field is checked by a validator of infra/limits.ts, the same
// one the component calls, so both refuse a value with the same words ----

/** A field checked by `validator`; `T` is the type it has once checked. */
const checked = <T>(validator: Validator) =>
  z.custom<T>().superRefine((value, ctx) => {
    const problem = validator(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

/** Reports `validator`'s problem with the value at `path` of an object, for checks across fields. */
function crossCheck(ctx: z.core.$RefinementCtx, path: PropertyKey[], value: unknown, validator: limits.Validator): void {
  const problem = validator(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", path, message: problem });
}

const whole = (min: number, max: number, what: string) => checked<number>(limits.wholeNumber(min, max, what));
const flag = () => checked<boolean>(limits.flag());
const oneOf = <const T extends readonly (string | number)[]>(values: T) => checked<T[number]>(limits.oneOf(values));
const matching = (pattern: RegExp, what: string) => checked<string>(limits.matching(pattern, what));

// ---- sections ----

const regionSchema = matching(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as us-east-1");

const environmentSchema = oneOf(environments);

const networkSchema = z
  .strictObject({
    availabilityZoneCount: checked<number>(limits.availabilityZoneCount),
    natGateways: checked<limits.NatGatewayStrategy>(limits.natGatewayStrategy).optional(),
    cidrBlock: checked<string>(limits.vpcCidrBlock).optional(),
    fromStack: matching(/^[\w.-]+\/[\w.-]+\/[\w.-]+$/, "a stack name <org>/<project>/<stack>").optional(),
  })
  .superRefine((network, ctx) => {
    if (network.fromStack !== undefined) {
      for (const key of ["natGateways", "cidrBlock"] as const) {
        if (network[key] !== undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: "not allowed with fromStack: that stack owns the VPC" });
        }
      }
    } else {
      if (network.natGateways === undefined) {
        ctx.addIssue({ code: "custom", path: ["natGateways"], message: `allowed: ${limits.natGatewayStrategies.join(", ")} (always explicit: awsx would make one per AZ)` });
      }
      if (network.cidrBlock === undefined) crossCheck(ctx, ["cidrBlock"], undefined, limits.vpcCidrBlock);
    }
  });

const appSchema = z.strictObject({
  image: checked<string>(limits.imageReference),
  containerPort: checked<number>(limits.containerPort),
  logLevel: oneOf(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] as const),
  logFormat: oneOf(["json", "text"] as const).meta(shared),
  apiPrefix: matching(/^\/[a-z0-9/_-]*[a-z0-9]$/, "a path such as /api/v1").meta(shared),
  accessTokenExpireMinutes: whole(1, 10080, "minutes"),
  rateLimitPerMinute: whole(1, 100000, "requests a minute"),
  enableProfiling: flag(),
  enableDebugToolbar: flag(),
  reloadOnChange: flag(),
  fakeApiResponses: flag(),
  bybitTestnet: flag(),
  databasePoolSize: whole(1, 100, "connections"),
  databaseMaxOverflow: whole(0, 200, "connections"),
  redisMaxConnections: whole(1, 10000, "connections"),
});

const healthCheckSchema = z.strictObject({
  command: checked<string[]>(limits.healthCheckCommand),
  intervalSeconds: checked<number>(limits.healthCheckIntervalSeconds),
  timeoutSeconds: checked<number>(limits.healthCheckTimeoutSeconds),
  retries: checked<number>(limits.healthCheckRetries),
  startPeriodSeconds: checked<number>(limits.healthCheckStartPeriodSeconds),
});

const capacityProviderStrategySchema = z
  .array(
    z.strictObject({
      capacityProvider: checked<limits.CapacityProvider>(limits.capacityProvider),
      weight: checked<number>(limits.capacityWeight),
      base: checked<number>(limits.capacityBase).default(0),
    }),
    { error: "allowed: a list of { capacityProvider, weight, base }" },
  )
  .superRefine((strategy, ctx) => crossCheck(ctx, [], strategy, limits.capacityProviderStrategy));

/** Who may call the bot's API on its port: a security group, or a managed prefix list, named. */
const consumerSchema = z
  .strictObject({
    securityGroupId: checked<string>(limits.securityGroupId).optional(),
    prefixListId: checked<string>(limits.prefixListId).optional(),
    description: checked<string>(limits.ruleDescription),
  })
  .superRefine((consumer, ctx) => {
    if ((consumer.securityGroupId === undefined) === (consumer.prefixListId === undefined)) {
      ctx.addIssue({ code: "custom", path: ["securityGroupId"], message: "set exactly one of securityGroupId and prefixListId" });
    }
  });

/** A Cloud Map name for the tasks, and who may reach them through it: a name nobody may reach leads nowhere. */
const serviceDiscoverySchema = z.strictObject({
  namespace: checked<string>(limits.privateDnsNamespace),
  serviceName: checked<string>(limits.dnsLabel),
  consumers: z
    .array(consumerSchema, { error: "allowed: a list of consumers, each { securityGroupId or prefixListId, description }" })
    .min(1, { error: "allowed: at least one consumer: the tasks' security group admits only them, so a name no consumer may reach leads nowhere (leave serviceDiscovery null)" }),
});

const serviceSchema = z
  .strictObject({
    cpu: checked<number>(limits.fargateCpu),
    memoryMiB: whole(512, 122880, "MiB"),
    cpuArchitecture: checked<limits.CpuArchitecture>(limits.cpuArchitecture).default("X86_64"),
    desiredCount: checked<number>(limits.desiredCount),
    deploymentMinimumHealthyPercent: checked<number>(limits.deploymentMinimumHealthyPercent),
    deploymentMaximumPercent: checked<number>(limits.deploymentMaximumPercent),
    deployTimeoutMinutes: checked<number>(limits.deployTimeoutMinutes).default(20),
    capacityProviderStrategy: capacityProviderStrategySchema,
    subnets: oneOf(["private", "public"] as const),
    assignPublicIp: flag(),
    healthCheck: healthCheckSchema.nullable().default(null),
    serviceDiscovery: serviceDiscoverySchema.nullable().default(null),
    containerInsights: checked<limits.ContainerInsights>(limits.containerInsights),
    logRetentionDays: checked<number>(limits.logRetentionDays),
  })
  .superRefine((service, ctx) => {
    crossCheck(ctx, ["memoryMiB"], service.memoryMiB, limits.fargateMemoryMiB(service.cpu));
    crossCheck(ctx, ["deploymentMaximumPercent"], service.deploymentMaximumPercent, limits.rolloutRoom(service.deploymentMinimumHealthyPercent));
    if (service.subnets === "public" && !service.assignPublicIp) {
      ctx.addIssue({ code: "custom", path: ["assignPublicIp"], message: "tasks in public subnets need a public IP to reach Bybit and ECR: allowed true" });
    }
    if (service.subnets === "private" && service.assignPublicIp) {
      ctx.addIssue({ code: "custom", path: ["assignPublicIp"], message: "a public IP does nothing in a private subnet: allowed false" });
    }
  });

const postgresSchema = z
  .strictObject({
    kind: z.literal("postgres"),
    instanceClass: checked<string>(limits.rdsInstanceClass),
    engineVersion: checked<string>(limits.postgresEngineVersion),
    multiAz: flag(),
    allocatedStorageGb: checked<number>(limits.gp3StorageGb),
    maxAllocatedStorageGb: checked<number>(limits.gp3StorageGb),
    backupRetentionDays: checked<number>(limits.backupRetentionDays),
    deletionProtection: flag(),
    performanceInsightsRetentionDays: checked<number>(limits.performanceInsightsRetentionDays),
    protect: flag(),
    databaseName: checked<string>(limits.postgresIdentifier),
    username: checked<string>(limits.postgresUsername),
    /**
     * The RDS instance's identifier (and its log group's name). Default `trading-bot-<stack>-db`.
     * An instance created before this setting keeps the name Pulumi gave it: set that name here.
     */
    identifier: checked<string>(limits.rdsInstanceIdentifier).optional(),
    /** Daily backup window in UTC; default outside the busiest trading hours (README "RDS operations"). */
    backupWindow: checked<string>(limits.rdsBackupWindow).default("04:00-04:30"),
    /** Weekly maintenance window in UTC, apart from the backup window. */
    maintenanceWindow: checked<string>(limits.rdsMaintenanceWindow).default("sun:05:00-sun:05:30"),
  })
  .superRefine((db, ctx) => {
    crossCheck(ctx, ["maxAllocatedStorageGb"], db.maxAllocatedStorageGb, limits.maxAllocatedStorageGb(db.allocatedStorageGb));
    crossCheck(ctx, ["maintenanceWindow"], db.maintenanceWindow, limits.rdsWindowsApart(db.backupWindow));
  });

const sqliteSchema = z.strictObject({
  kind: z.literal("sqlite"),
  dailyBackup: flag(),
});

const databaseSchema = z.discriminatedUnion("kind", [postgresSchema, sqliteSchema]);

const cacheSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("cluster"),
    engine: checked<limits.CacheEngine>(limits.cacheEngine),
    engineVersion: checked<string>(limits.cacheEngineVersion),
    nodeType: checked<string>(limits.cacheNodeType),
    shards: checked<number>(limits.cacheShards),
    replicasPerShard: checked<number>(limits.cacheReplicasPerShard),
    multiAz: flag(),
    snapshotRetentionDays: checked<number>(limits.cacheSnapshotRetentionDays),
  }).superRefine((cluster, ctx) => crossCheck(ctx, ["multiAz"], cluster.multiAz, limits.cacheMultiAz(cluster.replicasPerShard))),
  z.strictObject({
    kind: z.literal("local"),
    image: checked<string>(limits.imageReference),
    maxMemoryMiB: checked<number>(limits.localRedisMaxMemoryMiB),
  }),
]);

const secretsSchema = z.strictObject({
  recoveryWindowDays: checked<number>(limits.secretRecoveryWindowDays),
});

const metricSchema = z.strictObject({
  namespace: checked<string>(limits.cloudWatchNamespace),
  name: checked<string>(limits.metricName),
  statistic: checked<limits.MetricStatistic>(limits.metricStatistic),
  dimensions: oneOf(["service", "environment"] as const),
});

/** `expression` over `metrics` by id, e.g. `desired - running`; CloudWatch takes up to 10 metrics in an alarm. */
const metricMathSchema = z
  .strictObject({
    expression: z.string({ error: "allowed: a metric math expression such as desired - running" }),
    metrics: z.record(z.string(), metricSchema, { error: "allowed: metrics by id, e.g. { running: {...}, desired: {...} }" }),
  })
  .superRefine((math, ctx) => {
    const ids = Object.keys(math.metrics);
    if (ids.length === 0 || ids.length > 10) ctx.addIssue({ code: "custom", path: ["metrics"], message: "allowed: 1 to 10 metrics (CloudWatch's limit for an alarm)" });
    for (const id of ids) crossCheck(ctx, ["metrics", id], id, limits.metricQueryId);
    crossCheck(ctx, ["expression"], math.expression, limits.metricMathExpression(ids));
  });

const alertRuleSchema = z
  .strictObject({
    name: checked<string>(limits.alarmRuleName),
    severity: checked<limits.Severity>(limits.severity),
    description: checked<string>((value) => (typeof value === "string" && value.length > 0 ? undefined : "allowed: a sentence")),
    metric: metricSchema.optional(),
    ratio: z.strictObject({ numerator: metricSchema, denominator: metricSchema }).optional(),
    metricMath: metricMathSchema.optional(),
    comparison: checked<limits.ComparisonOperator>(limits.comparisonOperator),
    threshold: checked<number>(alarmThreshold),
    periodSeconds: checked<number>(limits.alarmPeriodSeconds),
    evaluationPeriods: whole(1, 1440, "periods"),
    /** M of N: how many of the evaluationPeriods must breach; CloudWatch's default is all of them. */
    datapointsToAlarm: z.unknown().optional(),
    treatMissingData: checked<limits.MissingDataTreatment>(limits.missingDataTreatment),
  })
  .superRefine((rule, ctx) => {
    if ([rule.metric, rule.ratio, rule.metricMath].filter((form) => form !== undefined).length !== 1) {
      ctx.addIssue({ code: "custom", path: ["metric"], message: "set exactly one of metric, ratio and metricMath" });
    }
    crossCheck(ctx, ["evaluationPeriods"], rule.evaluationPeriods, limits.alarmEvaluationPeriods(rule.periodSeconds));
    if (rule.datapointsToAlarm !== undefined) crossCheck(ctx, ["datapointsToAlarm"], rule.datapointsToAlarm, limits.alarmDatapointsToAlarm(rule.evaluationPeriods));
  })
  .transform((rule) => ({ ...rule, datapointsToAlarm: (rule.datapointsToAlarm as number | undefined) ?? rule.evaluationPeriods }));

/** A number. (`desiredCount`, a count frozen at the stack file's, gave way to metricMath over DesiredTaskCount.) */
function alarmThreshold(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return undefined;
  return value === "desiredCount"
    ? "allowed: a number; desiredCount froze the count at the stack file's: compare Container Insights' DesiredTaskCount and RunningTaskCount with metricMath (see Pulumi.prod.yaml's TaskDown)"
    : "allowed: a number";
}

const emailList = z.array(z.email({ error: "allowed: e-mail addresses" }), { error: "allowed: a list of e-mail addresses" });

const alertsSchema = z
  .strictObject({
    emails: z.strictObject({ info: emailList.optional(), warning: emailList.optional(), critical: emailList.optional() }).default({}),
    rules: z.array(alertRuleSchema, { error: "allowed: a list of alert rules" }),
  })
  .superRefine((alerts, ctx) => {
    const names = alerts.rules.map((rule) => rule.name);
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) {
        ctx.addIssue({ code: "custom", path: ["rules", index, "name"], message: "each rule needs its own name" });
      }
    });
  });

const rate = checked<number>((value) => (typeof value === "number" && value > 0 && value < 1 ? undefined : "allowed: a rate from 0 to 1"));

const tradingConfigSchema = z
  .strictObject({
    strategies: z
      .array(
        z.strictObject({
          name: matching(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and -"),
          symbol: matching(/^[A-Z0-9]{2,20}$/, "a Bybit symbol such as BTCUSDT"),
          minProfitRate: rate,
          maxPositionSize: checked<number>(limits.positiveNumber("a size")),
        }),
        { error: "allowed: a list of strategies" },
      )
      .min(1, { error: "allowed: at least one strategy" }),
  })
  .meta(shared);

const configBucketSchema = z.strictObject({
  /** Let `pulumi destroy` delete the bucket with every version of its objects. */
  forceDestroy: flag(),
});

const gigabytes = (what: string) => checked<number>(limits.nonNegativeNumber(what));

const budgetSchema = z.strictObject({
  monthlyUsd: checked<number>(limits.positiveNumber("US dollars a month")),
  /** Usage the cost estimate cannot read from resources; unset means priced at zero, with a note. */
  assumptions: z
    .strictObject({
      logIngestionGbPerMonth: gigabytes("GB a month").optional(),
      natDataProcessedGbPerMonth: gigabytes("GB a month").optional(),
      efsStorageGb: gigabytes("GB").optional(),
      dataSyncExportStorageGb: gigabytes("GB").optional(),
      dataSyncRunsPerMonth: checked<number>(limits.nonNegativeNumber("runs a month")).optional(),
      dataSyncRunMinutes: checked<number>(limits.nonNegativeNumber("minutes")).optional(),
      /** CloudWatch dashboards the stack's account holds besides this stack's (the first three of an account are free). */
      otherDashboardsInAccount: whole(0, 5000, "dashboards").optional(),
      databaseLogGbPerMonth: gigabytes("GB a month").optional(),
    })
    .default({}),
});

const dashboardSchema = z.strictObject({
  /** A CloudWatch dashboard of the stack's service, database, cache, alarms and app metrics (output dashboardUrl). */
  enabled: flag(),
});

/** A stack at the other end of a data sync: a name (in this stack's own account), or a name and its account. */
export type SyncPeer = string | { stack: string; account: string };

const syncPeerRule = `a stack name (${stackNameRule}), or { stack: <name>, account: "<12-digit account id>" } for a stack in another AWS account`;

function syncPeerProblem(value: unknown): string | undefined {
  if (typeof value === "string") return stackNameProblem(value) ? `allowed: ${syncPeerRule}` : undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return `allowed: ${syncPeerRule}`;
  const { stack, account, ...rest } = value as Record<string, unknown>;
  const good = Object.keys(rest).length === 0 && typeof stack === "string" && !stackNameProblem(stack) && typeof account === "string" && /^\d{12}$/.test(account);
  return good ? undefined : `allowed: ${syncPeerRule}`;
}

/** The stack and account of a sync peer; `ownAccount` for a bare name (null when the stack file names no account). */
export function syncPeerOf(peer: SyncPeer, ownAccount: string | null): { stack: string; account: string | null } {
  return typeof peer === "string" ? { stack: peer, account: ownAccount } : peer;
}

const syncPeers = z.array(checked<SyncPeer>(syncPeerProblem), { error: `allowed: a list of ${syncPeerRule}` }).default([]);

const dataSyncSchema = z
  .strictObject({
    /** The db tool's image (npm run db), pinned. */
    image: checked<string>(limits.imageReference),
    /** This stack may export: an anonymised subset or the schema, written to its own exports bucket. */
    export: flag(),
    /** This stack may import an export of its `sources` (never on production). */
    import: flag(),
    exportRetentionDays: whole(1, 7, "days"),
    /** Stacks whose import task may read this stack's exports (with their account when it is not this stack's). */
    readers: syncPeers,
    /** Stacks whose exports this stack's import task may read (with their account when it is not this stack's). */
    sources: syncPeers,
  })
  .superRefine((sync, ctx) => {
    if (!sync.export && !sync.import) ctx.addIssue({ code: "custom", path: ["export"], message: "set export or import to true, or leave dataSync out" });
    if (!sync.export && sync.readers.length > 0) ctx.addIssue({ code: "custom", path: ["readers"], message: "readers need export: true" });
    if (sync.import && sync.sources.length === 0) ctx.addIssue({ code: "custom", path: ["sources"], message: "import: true needs at least one source stack" });
    if (!sync.import && sync.sources.length > 0) ctx.addIssue({ code: "custom", path: ["sources"], message: "sources need import: true" });
  });

/** Where the stack runs, beside `aws:allowedAccountIds` (which names its account). */
const accountsSchema = z.strictObject({
  /**
   * A production stack's file says so when a non-production stack shares its AWS account
   * (`npm run stacks` and the plan refuse that otherwise; the policy pack reports it).
   */
  sharedWithNonProduction: flag().default(false),
  /**
   * The managed policy, in the stack's account, that every role the stack creates carries as
   * its permissions boundary: the bootstrap's (bootstrap/), whose deploy roles may create
   * roles only with it. null: none (an account set up without the bootstrap).
   */
  permissionsBoundary: checked<string | null>((value) =>
    value === null || (typeof value === "string" && /^[\w+=,.@-]{1,128}$/.test(value)) ? undefined : "allowed: the name of a managed IAM policy of the account, or null",
  ).default(permissionsBoundaryName),
});

/** Every `trading-bot:` key of a stack file (and `aws:region`), with its schema. */
export const stackConfigSchema = z
  .strictObject({
    "aws:region": regionSchema,
    "trading-bot:environment": environmentSchema,
    "trading-bot:budget": budgetSchema,
    "trading-bot:network": networkSchema,
    "trading-bot:app": appSchema,
    "trading-bot:service": serviceSchema,
    "trading-bot:database": databaseSchema,
    "trading-bot:cache": cacheSchema,
    "trading-bot:secrets": secretsSchema,
    "trading-bot:configBucket": configBucketSchema,
    "trading-bot:alerts": alertsSchema,
    "trading-bot:dashboard": dashboardSchema.default({ enabled: false }),
    "trading-bot:tradingConfig": tradingConfigSchema,
    "trading-bot:dataSync": dataSyncSchema.optional(),
    "trading-bot:accounts": accountsSchema.optional(),
  })
  .superRefine((config, ctx) => {
    const service = config["trading-bot:service"];
    if (config["trading-bot:database"].kind === "sqlite" && service.desiredCount > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["trading-bot:service", "desiredCount"],
        message: "SQLite (trading-bot:database.kind sqlite) allows one writer: at most 1 task",
      });
    }
    if (service.subnets === "private" && config["trading-bot:network"].natGateways === "None") {
      ctx.addIssue({
        code: "custom",
        path: ["trading-bot:service", "subnets"],
        message: "private subnets have no way out when trading-bot:network.natGateways is None: use public (with assignPublicIp true) or add NAT gateways",
      });
    }
    for (const path of containerInsightsReadWhileDisabled(config)) {
      ctx.addIssue({
        code: "custom",
        path,
        message: "trading-bot:service.containerInsights is disabled, so this namespace gets no data and the alarm would never leave its missing-data state: enable Container Insights or read AWS/ECS",
      });
    }
  });

/** Paths of the alarm metrics that read Container Insights while the stack turns it off. */
function containerInsightsReadWhileDisabled(config: z.infer<typeof stackConfigSchema>): (string | number)[][] {
  if (config["trading-bot:service"].containerInsights !== "disabled") return [];
  return config["trading-bot:alerts"].rules.flatMap((rule, index) => {
    const metrics: [(string | number)[], { namespace: string } | undefined][] = [
      [["metric"], rule.metric],
      [["ratio", "numerator"], rule.ratio?.numerator],
      [["ratio", "denominator"], rule.ratio?.denominator],
      ...Object.entries(rule.metricMath?.metrics ?? {}).map(([id, metric]): [(string | number)[], { namespace: string }] => [["metricMath", "metrics", id], metric]),
    ];
    return metrics
      .filter(([, metric]) => metric?.namespace === "ECS/ContainerInsights")
      .map(([where]) => ["trading-bot:alerts", "rules", index, ...where, "namespace"]);
  });
}

type ParsedConfig = z.infer<typeof stackConfigSchema>;

/** The validated settings of one stack. */
export interface StackSettings {
  stack: string;
  region: string;
  environment: ParsedConfig["trading-bot:environment"];
  budget: ParsedConfig["trading-bot:budget"];
  network: ParsedConfig["trading-bot:network"];
  app: ParsedConfig["trading-bot:app"];
  service: ParsedConfig["trading-bot:service"];
  database: ParsedConfig["trading-bot:database"];
  cache: ParsedConfig["trading-bot:cache"];
  secrets: ParsedConfig["trading-bot:secrets"];
  configBucket: ParsedConfig["trading-bot:configBucket"];
  alerts: ParsedConfig["trading-bot:alerts"];
  dashboard: ParsedConfig["trading-bot:dashboard"];
  tradingConfig: ParsedConfig["trading-bot:tradingConfig"];
  /** The one-off export/import task of the data syncs, or null when the stack has none. */
  dataSync: NonNullable<ParsedConfig["trading-bot:dataSync"]> | null;
  /** The AWS account `aws:allowedAccountIds` names (the provider refuses any other), or null when the file names none. */
  accountId: string | null;
  /** A production stack whose file says a non-production stack shares its account. */
  accountSharedWithNonProduction: boolean;
  /** The name of the permissions boundary of the stack's roles (a policy of its account), or null for none. */
  permissionsBoundary: string | null;
  /** Which optional secret keys are set (their values are read as Pulumi secrets, never here). */
  secretKeysSet: SecretConfigKey[];
}

/** A stack file that fails the schema: one line per problem, each naming the file, the key, the value and what is allowed. */
export class StackConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "StackConfigError";
  }
}

/**
 * Validates a stack's config as the Pulumi CLI hands it to the program: keys with their
 * namespace (`trading-bot:service`), structured values as JSON text or already parsed.
 * `isSecret` tells whether a key was stored with `--secret`.
 */
export function parseStackConfig(
  stack: string,
  rawConfig: Record<string, unknown>,
  isSecret: (key: string) => boolean,
): StackSettings {
  const nameProblem = stackNameProblem(stack);
  if (nameProblem) throw new StackConfigError([nameProblem]);
  const file = `Pulumi.${stack}.yaml`;
  const { input, secretKeysSet, problems } = sortKeys(file, stack, rawConfig, isSecret);
  const result = stackConfigSchema.safeParse(input);
  const accountId = accountIdOf(rawConfig["aws:allowedAccountIds"]);
  if (!result.success) problems.push(...schemaProblems(file, input, result.error, isSecret));
  else problems.push(...productionProblems(file, stack, result.data), ...accountProblems(file, stack, result.data, accountId, problems));
  if (problems.length > 0 || !result.success) throw new StackConfigError(problems);
  return settingsOf(stack, result.data, secretKeysSet, accountId ?? null);
}

/** Splits the raw keys: secret config keys (checked, never parsed), schema keys, and the rest (aws:, pulumi:, typos). */
function sortKeys(file: string, stack: string, rawConfig: Record<string, unknown>, isSecret: (key: string) => boolean) {
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  const secretKeysSet: SecretConfigKey[] = [];
  for (const [key, value] of Object.entries(rawConfig)) {
    const name = key.startsWith(`${projectName}:`) ? key.slice(projectName.length + 1) : undefined;
    const context = { file, stack, project: projectName, isSecret: isSecret(key) };
    if (name !== undefined && Object.hasOwn(secretConfigKeys, name)) {
      const problem = secretValueProblem(key, value, context);
      if (problem) problems.push(problem);
      else secretKeysSet.push(name as SecretConfigKey);
    } else if (name !== undefined || key === "aws:region") {
      input[key] = withYamlSource(parseValue(value)); // `.nan`, `.inf` shown as written: packages/stack-files/src/yamlSource.ts
    } else {
      const problem = otherKeyProblem(key, value, context); // aws:, pulumi: and typos: stacks/stackFileKeys.ts
      if (problem) problems.push(problem);
    }
  }
  for (const [name, { required }] of Object.entries(secretConfigKeys)) {
    const key = `${projectName}:${name}`;
    if (required && !(key in rawConfig)) {
      problems.push(`${file}: ${key} is missing; set it with: pulumi config set --secret ${key} <value> --stack ${stack}`);
    }
  }
  return { input, secretKeysSet, problems };
}

/** One line per key: a value out of range may also fail a cross-check of the same key. */
function schemaProblems(file: string, input: Record<string, unknown>, error: z.ZodError, isSecret: (key: string) => boolean): string[] {
  const problems: string[] = [];
  const reported = new Set<string>();
  for (const issue of error.issues) {
    const key = `${issue.code === "unrecognized_keys" ? "keys:" : ""}${configKey(issue.path)}`;
    if (reported.has(key)) continue;
    reported.add(key);
    problems.push(...describeIssue(file, input, issue, isSecret(String(issue.path[0]))));
  }
  return problems;
}

/** What production (decided by packages/stack-files/src/production.ts) rules out: a name and environment that disagree, importing data. */
function productionProblems(file: string, stack: string, config: ParsedConfig): string[] {
  const environment = config["trading-bot:environment"];
  const conflict = nameEnvironmentConflict(stack, environment);
  if (conflict) return [`${file}: ${conflict}`];
  if (isProductionStack(stack, environment) && config["trading-bot:dataSync"]?.import === true) {
    return [`${file}: trading-bot:dataSync.import is true; allowed: false on a production stack (${productionReason(stack, environment)}): data flows from production down, never into it`];
  }
  return [];
}

/** The account of `aws:allowedAccountIds`; a bad value is reported by stacks/stackFileKeys.ts. */
function accountIdOf(value: unknown): string | undefined {
  try {
    return allowedAccountOf(value);
  } catch {
    return undefined;
  }
}

/**
 * A production stack names its account: the plan and `pulumi up` alike refuse one that does
 * not (the offline pack sees no provider). Only a production stack's file may say that a
 * non-production stack shares its account.
 */
function accountProblems(file: string, stack: string, config: ParsedConfig, accountId: string | undefined, earlier: string[]): string[] {
  const environment = config["trading-bot:environment"];
  const production = isProductionStack(stack, environment);
  const key = "aws:allowedAccountIds";
  if (production && accountId === undefined && !earlier.some((line) => line.startsWith(`${file}: ${key} `))) {
    return [`${file}: ${key} is missing; a production stack names its AWS account (${productionReason(stack, environment)}): add ${key}: ["<12-digit account id>"]`];
  }
  if (!production && config["trading-bot:accounts"]?.sharedWithNonProduction) {
    return [`${file}: trading-bot:accounts.sharedWithNonProduction is true; allowed: false or unset on a non-production stack (a production stack's file says it shares its account)`];
  }
  return [];
}

function settingsOf(stack: string, config: ParsedConfig, secretKeysSet: SecretConfigKey[], accountId: string | null): StackSettings {
  return {
    stack,
    region: config["aws:region"],
    environment: config["trading-bot:environment"],
    budget: config["trading-bot:budget"],
    network: config["trading-bot:network"],
    app: config["trading-bot:app"],
    service: config["trading-bot:service"],
    database: config["trading-bot:database"],
    cache: config["trading-bot:cache"],
    secrets: config["trading-bot:secrets"],
    configBucket: config["trading-bot:configBucket"],
    alerts: config["trading-bot:alerts"],
    dashboard: config["trading-bot:dashboard"],
    tradingConfig: config["trading-bot:tradingConfig"],
    dataSync: config["trading-bot:dataSync"] ?? null,
    accountId,
    accountSharedWithNonProduction: config["trading-bot:accounts"]?.sharedWithNonProduction ?? false,
    permissionsBoundary: config["trading-bot:accounts"] === undefined ? permissionsBoundaryName : config["trading-bot:accounts"].permissionsBoundary,
    secretKeysSet: secretKeysSet.sort(),
  };
}

/** The CLI passes structured values as JSON text; scalars stay text. */
function parseValue(value: unknown): unknown {
  if (typeof value === "string" && /^\s*[{[]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** One line for a schema issue; a value stored with --secret is never printed. */
function describeIssue(file: string, input: Record<string, unknown>, issue: z.core.$ZodIssue, valueIsSecret: boolean): string[] {
  const where = (path: PropertyKey[]) => configKey(path);
  if (issue.code === "unrecognized_keys") {
    const known = knownKeys(issue.path);
    return issue.keys.map((key) => {
      const parent = issue.path.length === 0 ? "the trading-bot namespace" : where(issue.path);
      const list = known ? `; ${parent} takes ${known.join(", ")}` : "";
      return `${file}: ${where([...issue.path, key])} is not a setting${list}`;
    });
  }
  const value = valueAt(input, issue.path);
  const shown = value === undefined ? "is missing" : valueIsSecret ? "is [secret]" : `is ${format(value)}`;
  const unionOptions = (issue as { options?: unknown }).options;
  if (issue.code === "invalid_union" && Array.isArray(unionOptions)) {
    return [`${file}: ${where(issue.path)} ${shown}; allowed: ${unionOptions.join(", ")}`];
  }
  return [`${file}: ${where(issue.path)} ${shown}; ${issue.message}`];
}

/** `["trading-bot:alerts", "rules", 1, "name"]` -> `trading-bot:alerts.rules[1].name`. */
function configKey(path: PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current = input;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function format(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

/** The keys the schema takes at a path of plain objects, for "did you mean" lists. */
function knownKeys(path: PropertyKey[]): string[] | undefined {
  let schema: z.ZodType = stackConfigSchema;
  for (const part of path) {
    const shape = objectShape(schema);
    if (!shape || typeof part !== "string" || !(part in shape)) return undefined;
    schema = shape[part];
  }
  const shape = objectShape(schema);
  return shape ? Object.keys(shape) : undefined;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: z.ZodType = schema;
  // Optional, nullable and default wrappers hold the object inside.
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current instanceof z.ZodObject ? (current.shape as Record<string, z.ZodType>) : undefined;
}

/**
 * The config paths the schema marks `shared` (see SyncMeta): application settings every
 * environment should agree on, which env-sync may copy between stacks. Everything else is
 * environment-specific.
 */
export function sharedConfigPaths(): string[][] {
  const found: string[][] = [];
  const walk = (schema: z.ZodType, path: string[]) => {
    if ((schema.meta() as Partial<SyncMeta> | undefined)?.sync === "shared") {
      found.push(path);
      return;
    }
    const shape = objectShape(schema);
    for (const [key, child] of Object.entries(shape ?? {})) walk(child, [...path, key]);
  };
  walk(stackConfigSchema, []);
  return found;
}
