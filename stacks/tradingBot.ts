// Composes the components from one stack's validated settings. Nothing here asks which
// stack it is: every difference arrives as a setting.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmMetric, AlertRule, Alerts } from "../infra/alerts";
import { AppSecrets } from "../infra/appSecrets";
import { ServiceAttachment } from "../infra/attachment";
import { ConfigBucket } from "../infra/configBucket";
import { Dashboard, DashboardSection } from "../infra/dashboard";
import { DataSync, exportsBucketName, importRoleName } from "../infra/dataSync";
import { LocalRedis } from "../infra/localRedis";
import { Network } from "../infra/network";
import { Reachable, admitConsumer, allowIngress } from "../infra/placement";
import { PostgresDatabase } from "../infra/postgresDatabase";
import { RedisCluster } from "../infra/redisCluster";
import { SqliteVolume } from "../infra/sqliteVolume";
import { TaskSecurityGroup } from "../infra/taskSecurityGroup";
import { TradingBotService } from "../infra/tradingBotService";
import { AccountDeclaration } from "./accountDeclaration";
import { appMetricNames, appMetricsDimension, appMetricsNamespace } from "./appMetrics";
import { SecretConfigKeyInfo, StackSettings, SyncPeer, projectName, secretConfigKeys, syncPeerOf } from "./config";
import { StackOutputs } from "./outputs";

/** Secret config values (`pulumi config set --secret`) by the variable the app reads, for the keys that are set. */
export type SecretInputs = Record<string, pulumi.Output<string>>;

/** Where the SQLite file lives in the app container. */
const sqliteMountPath = "/data";
const sqliteFileName = "trading.db";

/** A database or cache: what the app connects to, and (when it is on the network) how to reach it. */
type Backing = ServiceAttachment & {
  connectionUrl: pulumi.Output<string>;
  endpoint: pulumi.Output<string>;
  network?: Reachable;
  /** The log group the backing exports its own log to (RDS). */
  logGroupName?: pulumi.Output<string>;
  /** What the stack's dashboard shows of it; nothing for a sidecar. */
  dashboardSection?: DashboardSection;
};

export function createTradingBotStack(settings: StackSettings, secretInputs: SecretInputs): StackOutputs {
  declareAccount(settings);
  const network = createNetwork(settings);
  const taskSecurityGroup = new TaskSecurityGroup(projectName, { vpcId: network.vpcId, description: "Trading bot tasks" });
  const database = createDatabase(settings, network);
  const cache = createCache(settings, network);
  const secrets = createSecrets(settings, secretInputs, database, cache);
  const configBucket = createConfigBucket(settings);
  const access = [
    ...connect(`${projectName}-db-from-service`, taskSecurityGroup.securityGroupId, database, "the trading bot service"),
    ...connect(`${projectName}-cache-from-service`, taskSecurityGroup.securityGroupId, cache, "the trading bot service"),
  ];
  const appSecrets = secrets.attachmentFor(secretKeysReadBy("app", secrets));
  const boundary = permissionsBoundaryArn(settings);
  const service = createService(settings, network, taskSecurityGroup, [appSecrets, configBucket, database, cache, appMetrics(), taskSecurityGroup, ...access], boundary);
  admitDiscoveryConsumers(settings, taskSecurityGroup);
  const dataSync = settings.dataSync && createDataSync(settings, network, secrets, database, boundary);
  const alerts = createAlerts(settings, service);
  const dashboard = settings.dashboard.enabled ? createDashboard(settings, service, [database, cache], alerts) : undefined;
  return stackOutputsOf(settings, { network, taskSecurityGroup, database, cache, secrets, configBucket, service, alerts, dataSync: dataSync || undefined, dashboard });
}

/** What the policy pack needs to judge the stack's account (it sees no stack file). */
function declareAccount(settings: StackSettings): void {
  new AccountDeclaration(`${projectName}-account`, {
    allowedAccountIds: settings.accountId === null ? [] : [settings.accountId],
    sharedWithNonProduction: settings.accountSharedWithNonProduction,
  });
}

function createConfigBucket(settings: StackSettings): ConfigBucket {
  return new ConfigBucket(`${projectName}-config`, {
    bucketPrefix: `trading-config-${settings.stack}-`,
    jsonObjects: { "trading-config.json": settings.tradingConfig },
    region: settings.region,
    forceDestroy: settings.configBucket.forceDestroy,
  });
}

/** The parts of a stack its outputs come from. */
interface StackParts {
  network: Network;
  taskSecurityGroup: TaskSecurityGroup;
  database: Backing;
  cache: Backing;
  secrets: AppSecrets;
  configBucket: ConfigBucket;
  service: TradingBotService;
  alerts: Alerts;
  dataSync: DataSync | undefined;
  dashboard: Dashboard | undefined;
}

/** The output contract (stacks/outputs.ts), from the stack's parts. */
function stackOutputsOf(settings: StackSettings, { network, taskSecurityGroup, database, cache, secrets, configBucket, service, alerts, dataSync, dashboard }: StackParts): StackOutputs {
  return {
    environment: settings.environment,
    region: settings.region,
    clusterName: service.cluster.name,
    clusterArn: service.cluster.arn,
    serviceName: service.service.name,
    serviceArn: service.service.arn,
    serviceTaskDefinitionArn: service.taskDefinition.arn,
    serviceDiscoveryName: service.serviceDiscoveryName,
    logGroupName: service.logGroup.name,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    publicSubnetIds: network.publicSubnetIds,
    serviceSecurityGroupId: taskSecurityGroup.securityGroupId,
    databaseKind: settings.database.kind,
    databaseEndpoint: database.endpoint,
    databaseLogGroupName: database.logGroupName ?? null,
    // Credentials: secret in every stack, even where the URL holds none (SQLite, the sidecar).
    databaseUrl: pulumi.secret(database.connectionUrl),
    databaseUrlValueFrom: secrets.valueFrom("DATABASE_URL"),
    cacheKind: settings.cache.kind,
    cacheEndpoint: cache.endpoint,
    cacheUrl: pulumi.secret(cache.connectionUrl),
    cacheUrlValueFrom: secrets.valueFrom("REDIS_URL"),
    appSecretArn: secrets.arn,
    appSecretKeys: secrets.keys,
    appSecretVersionId: secrets.versionId,
    configBucketName: configBucket.bucketName,
    alertTopicArns: alerts.topicArns,
    dataSyncTaskDefinitionArn: dataSync ? dataSync.taskDefinition.arn : null,
    dataSyncSecurityGroupId: dataSync ? dataSync.securityGroupId : null,
    dataSyncSubnetIds: dataSync ? taskSubnets(settings, network) : null,
    dataSyncAssignPublicIp: dataSync ? settings.service.assignPublicIp : null,
    dataSyncExportsBucket: dataSync ? dataSync.exportsBucketName : null,
    dashboardUrl: dashboard ? dashboard.url : null,
    dataSyncLogGroupName: dataSync ? dataSync.logGroup.name : null,
  };
}

/** The account the stack deploys into: the one aws:allowedAccountIds names, the credentials' own where the file names none. */
function accountIdOf(settings: StackSettings): pulumi.Output<string> {
  return settings.accountId !== null ? pulumi.output(settings.accountId) : aws.getCallerIdentityOutput().accountId;
}

/** The bootstrap's boundary in the stack's account (trading-bot:accounts.permissionsBoundary), carried by every role the stack creates. */
function permissionsBoundaryArn(settings: StackSettings): pulumi.Output<string> | undefined {
  const name = settings.permissionsBoundary;
  return name === null ? undefined : pulumi.interpolate`arn:aws:iam::${accountIdOf(settings)}:policy/${name}`;
}

/** A new VPC, or the one another stack exports (`network.fromStack`), read here and handed over as plain ids. */
function createNetwork(settings: StackSettings): Network {
  const { fromStack, availabilityZoneCount, natGateways, cidrBlock } = settings.network;
  if (!fromStack) return new Network(projectName, { vpc: { availabilityZoneCount, natGateways: natGateways!, cidrBlock: cidrBlock! } });
  const source = new pulumi.StackReference(`${projectName}-network-source`, { name: fromStack });
  return new Network(projectName, {
    existing: {
      vpcId: source.requireOutput("vpcId") as pulumi.Output<string>,
      privateSubnetIds: source.requireOutput("privateSubnetIds") as pulumi.Output<string[]>,
      publicSubnetIds: source.requireOutput("publicSubnetIds") as pulumi.Output<string[]>,
      availabilityZoneCount,
    },
  });
}

function createDatabase(settings: StackSettings, network: Network): Backing {
  const db = settings.database;
  const placement = { vpcId: network.vpcId, subnetIds: network.privateSubnetIds };
  switch (db.kind) {
    case "postgres": {
      const { kind: _kind, identifier, ...postgres } = db;
      return new PostgresDatabase(`${projectName}-db`, {
        ...placement,
        ...postgres,
        finalSnapshotPrefix: `${projectName}-${settings.stack}-db`,
        identifier: identifier ?? `${projectName}-${settings.stack}-db`,
        logRetentionDays: settings.service.logRetentionDays,
      });
    }
    case "sqlite": {
      return new SqliteVolume(`${projectName}-db`, {
        ...placement,
        availabilityZoneCount: network.availabilityZoneCount,
        dailyBackup: db.dailyBackup,
        mountPath: sqliteMountPath,
        databaseFileName: sqliteFileName,
      });
    }
  }
}

function createCache(settings: StackSettings, network: Network): Backing {
  const cache = settings.cache;
  switch (cache.kind) {
    case "cluster": {
      const { kind: _kind, ...cluster } = cache;
      return new RedisCluster(`${projectName}-cache`, { vpcId: network.vpcId, subnetIds: network.privateSubnetIds, ...cluster });
    }
    case "local":
      return new LocalRedis(`${projectName}-cache`, { image: cache.image, maxMemoryMiB: cache.maxMemoryMiB });
  }
}

/** The stack's one secret: the secret config values that are set, the connection URLs, and what Pulumi generates. */
function createSecrets(settings: StackSettings, secretInputs: SecretInputs, database: Backing, cache: Backing): AppSecrets {
  const generated = Object.fromEntries(
    Object.values<SecretConfigKeyInfo>(secretConfigKeys)
      .filter((key) => key.generatedLengthChars !== undefined && !(key.variable in secretInputs) && (key.generatedWhen?.(settings) ?? true))
      .map((key) => [key.variable, { lengthChars: key.generatedLengthChars! }]),
  );
  return new AppSecrets(`${projectName}-secrets`, {
    namePrefix: `${projectName}/${settings.stack}/`,
    recoveryWindowDays: settings.secrets.recoveryWindowDays,
    values: { ...secretInputs, DATABASE_URL: database.connectionUrl, REDIS_URL: cache.connectionUrl },
    generated,
  });
}

/** Lets a task's security group reach a backing on the network (a sidecar needs nothing); the task waits for the rule. */
function connect(ruleName: string, client: pulumi.Input<string>, backing: Backing, clientName: string): ServiceAttachment[] {
  return backing.network ? [allowIngress(ruleName, client, backing.network, clientName)] : [];
}

/** The secret's keys a task reads: its secret config values (set or generated), and the connection URLs for the app. */
function secretKeysReadBy(reader: SecretConfigKeyInfo["readBy"], secrets: AppSecrets): string[] {
  const variables = Object.values<SecretConfigKeyInfo>(secretConfigKeys).filter((key) => key.readBy === reader).map((key) => key.variable);
  const urls = reader === "app" ? ["DATABASE_URL", "REDIS_URL"] : ["DATABASE_URL"];
  return secrets.keys.filter((key) => variables.includes(key) || urls.includes(key));
}

/** Where the stack's tasks run: public subnets with a public IP when there is no NAT gateway, else private ones. */
function taskSubnets(settings: StackSettings, network: Network): pulumi.Output<string[]> {
  return settings.service.subnets === "public" ? network.publicSubnetIds : network.privateSubnetIds;
}

/**
 * The one-off task of the data syncs: it reaches the database, reads DATABASE_URL (and, to
 * export, the anonymisation key) from the secret, mounts the SQLite volume when there is
 * one; exports go to its own bucket, imports read the sources' buckets by the naming rule,
 * each source in the account its entry names (this stack's own for a bare name).
 */
function createDataSync(settings: StackSettings, network: Network, secrets: AppSecrets, database: Backing, permissionsBoundary: pulumi.Output<string> | undefined): DataSync {
  const sync = settings.dataSync!;
  const accountId = accountIdOf(settings);
  // A peer named without an account is in this stack's account.
  const peer = (entry: SyncPeer) => {
    const { stack, account } = syncPeerOf(entry, settings.accountId);
    return { stack, accountId: account !== null ? pulumi.output(account) : accountId };
  };
  const name = `${projectName}-data-sync`;
  const tasks = new TaskSecurityGroup(name, { vpcId: network.vpcId, description: "Trading bot data-sync task" });
  const access = connect(`${projectName}-db-from-data-sync`, tasks.securityGroupId, database, "the data-sync task");
  return new DataSync(name, {
    securityGroupId: tasks.securityGroupId,
    subnetIds: taskSubnets(settings, network),
    assignPublicIp: settings.service.assignPublicIp,
    family: `${projectName}-${settings.stack}-data-sync`,
    image: sync.image,
    region: settings.region,
    logRetentionDays: settings.service.logRetentionDays,
    permissionsBoundary,
    // The image holds no stack files: these tell the db tool's production guard which stack it serves, and what that stack is.
    environment: { DATA_SYNC_STACK: settings.stack, DATA_SYNC_ENVIRONMENT: settings.environment, AWS_REGION: settings.region },
    export: sync.export
      ? {
          bucketName: accountId.apply((account) => exportsBucketName(account, settings.stack)),
          accountId,
          retentionDays: sync.exportRetentionDays,
          readers: sync.readers.map(peer).map((reader) => ({
            accountId: reader.accountId,
            roleArn: pulumi.interpolate`arn:aws:iam::${reader.accountId}:role/${importRoleName(reader.stack)}`,
          })),
        }
      : undefined,
    import: sync.import
      ? {
          roleName: importRoleName(settings.stack),
          sources: sync.sources.map(peer).map((source) => ({
            accountId: source.accountId,
            bucketName: source.accountId.apply((account) => exportsBucketName(account, source.stack)),
          })),
        }
      : undefined,
    attachments: [secrets.attachmentFor(secretKeysReadBy("dataSync", secrets)), database, tasks, ...access],
  });
}

/**
 * With Cloud Map, the consumers the stack file names may call the bot's API on its port (and
 * no one else): a name in Cloud Map that no one may reach would lead nowhere.
 */
function admitDiscoveryConsumers(settings: StackSettings, tasks: TaskSecurityGroup): void {
  // The description reaches EC2, whose rule descriptions take no apostrophe.
  const api: Reachable = { securityGroupId: tasks.securityGroupId, port: settings.app.containerPort, protocolName: "Trading bot API" };
  (settings.service.serviceDiscovery?.consumers ?? []).forEach((consumer, index) => {
    admitConsumer(`${projectName}-api-from-consumer-${index + 1}`, api, consumer);
  });
}

/** The app publishes its metrics (stacks/appMetrics.ts) to its own namespace, and nowhere else. */
function appMetrics(): ServiceAttachment {
  return {
    environment: { METRICS_NAMESPACE: appMetricsNamespace },
    taskRoleStatements: [
      {
        Sid: "PublishAppMetrics",
        Effect: "Allow",
        Action: ["cloudwatch:PutMetricData"],
        // PutMetricData has no resource type: the namespace condition is what narrows it.
        Resource: ["*"],
        Condition: { StringEquals: { "cloudwatch:namespace": appMetricsNamespace } },
      },
    ],
  };
}

function createService(
  settings: StackSettings,
  network: Network,
  tasks: TaskSecurityGroup,
  attachments: ServiceAttachment[],
  permissionsBoundary: pulumi.Output<string> | undefined,
): TradingBotService {
  const { app, service: sizing } = settings;
  return new TradingBotService(projectName, {
    vpcId: network.vpcId,
    subnetIds: taskSubnets(settings, network),
    securityGroupIds: [tasks.securityGroupId],
    assignPublicIp: sizing.assignPublicIp,
    family: `${projectName}-${settings.stack}`,
    image: app.image,
    containerPort: app.containerPort,
    cpu: sizing.cpu,
    memoryMiB: sizing.memoryMiB,
    cpuArchitecture: sizing.cpuArchitecture,
    desiredCount: sizing.desiredCount,
    deploymentMinimumHealthyPercent: sizing.deploymentMinimumHealthyPercent,
    deploymentMaximumPercent: sizing.deploymentMaximumPercent,
    deployTimeoutMinutes: sizing.deployTimeoutMinutes,
    capacityProviderStrategy: sizing.capacityProviderStrategy,
    healthCheck: sizing.healthCheck ?? undefined,
    serviceDiscovery: sizing.serviceDiscovery ? { namespace: sizing.serviceDiscovery.namespace, serviceName: sizing.serviceDiscovery.serviceName } : undefined,
    containerInsights: sizing.containerInsights,
    logRetentionDays: sizing.logRetentionDays,
    permissionsBoundary,
    region: settings.region,
    environment: appEnvironment(settings),
    attachments,
  });
}

function createAlerts(settings: StackSettings, service: TradingBotService): Alerts {
  const dimensionsOf = (kind: "service" | "environment"): Record<string, pulumi.Input<string>> =>
    kind === "service" ? { ClusterName: service.cluster.name, ServiceName: service.service.name } : { Environment: settings.environment };
  const metric = (m: { namespace: string; name: string; statistic: AlarmMetric["statistic"]; dimensions: "service" | "environment" }): AlarmMetric => ({
    namespace: m.namespace,
    metricName: m.name,
    statistic: m.statistic,
    dimensions: dimensionsOf(m.dimensions),
  });
  return new Alerts(`${projectName}-alerts`, {
    alarmNamePrefix: `${projectName}-${settings.stack}-`,
    emails: settings.alerts.emails,
    rules: settings.alerts.rules.map(
      (rule): AlertRule => ({
        name: rule.name,
        severity: rule.severity,
        description: rule.description,
        metric: rule.metric && metric(rule.metric),
        ratio: rule.ratio && { numerator: metric(rule.ratio.numerator), denominator: metric(rule.ratio.denominator) },
        metricMath: rule.metricMath && {
          expression: rule.metricMath.expression,
          metrics: Object.fromEntries(Object.entries(rule.metricMath.metrics).map(([id, m]) => [id, metric(m)])),
        },
        comparison: rule.comparison,
        threshold: rule.threshold,
        periodSeconds: rule.periodSeconds,
        evaluationPeriods: rule.evaluationPeriods,
        datapointsToAlarm: rule.datapointsToAlarm,
        treatMissingData: rule.treatMissingData,
      }),
    ),
  });
}

/** The stack's dashboard: the service, the backings that have metrics, every alarm, the app's own metrics. */
function createDashboard(settings: StackSettings, service: TradingBotService, backings: Backing[], alerts: Alerts): Dashboard {
  return new Dashboard(`${projectName}-dashboard`, {
    dashboardName: `${projectName}-${settings.stack}`,
    region: settings.region,
    service: {
      clusterName: service.cluster.name,
      serviceName: service.service.name,
      desiredCount: settings.service.desiredCount,
      containerInsights: settings.service.containerInsights,
    },
    sections: backings.flatMap((backing) => (backing.dashboardSection ? [backing.dashboardSection] : [])),
    alarmArns: alerts.alarms.map((alarm) => alarm.arn),
    app: { namespace: appMetricsNamespace, dimensions: { [appMetricsDimension]: settings.environment }, ...appMetricNames },
  });
}

/** The app's settings class, as plain environment variables (secrets travel separately). */
function appEnvironment(settings: StackSettings): Record<string, string> {
  const { app } = settings;
  return {
    ENVIRONMENT: settings.environment,
    LOG_LEVEL: app.logLevel,
    LOG_FORMAT: app.logFormat,
    API_HOST: "0.0.0.0",
    API_PORT: String(app.containerPort),
    API_PREFIX: app.apiPrefix,
    ACCESS_TOKEN_EXPIRE_MINUTES: String(app.accessTokenExpireMinutes),
    RATE_LIMIT_PER_MINUTE: String(app.rateLimitPerMinute),
    ENABLE_PROFILING: String(app.enableProfiling),
    ENABLE_DEBUG_TOOLBAR: String(app.enableDebugToolbar),
    RELOAD_ON_CHANGE: String(app.reloadOnChange),
    FAKE_API_RESPONSES: String(app.fakeApiResponses),
    BYBIT_TESTNET: String(app.bybitTestnet),
    DATABASE_POOL_SIZE: String(app.databasePoolSize),
    DATABASE_MAX_OVERFLOW: String(app.databaseMaxOverflow),
    REDIS_MAX_CONNECTIONS: String(app.redisMaxConnections),
  };
}
