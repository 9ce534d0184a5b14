// What each key of a stack file sets, in the order docs/configuration.md lists them: the prose
// of the config reference, whose key column and values npm run docs prints from the schema
// (stacks/config.ts) and the committed stack files. A row may hold several keys of one section.

export interface ConfigKeyRow {
  /** Full paths below `trading-bot:` (`app.image`), or keys of another namespace (`aws:region`). */
  keys: string[];
  /** A secret key: set with `pulumi config set --secret`, never in the file's plain text. */
  secret?: true;
  what: string;
}

export const configKeyRows: ConfigKeyRow[] = [
  { keys: ["aws:region"], what: "region of every resource" },
  { keys: ["aws:allowedAccountIds"], what: "the one AWS account the stack deploys into, quoted (the provider refuses credentials of any other); placeholders to replace (see [Set-up: accounts and trust](ci-and-trust.md#set-up-accounts-and-trust)); required on a production stack" },
  { keys: ["accounts.sharedWithNonProduction"], what: "a production stack's file saying that a non-production stack shares its account: `npm run stacks` and the plan refuse that otherwise (exit 2), and the policy pack reports it as advisory" },
  { keys: ["accounts.permissionsBoundary"], what: "the managed policy of the stack's account that every role the stack creates carries as its permissions boundary: by default the bootstrap's `trading-bot-permissions-boundary` (its deploy roles may create roles only with it); `null` for none, in an account set up without the bootstrap" },
  { keys: ["environment"], what: "the app's `ENVIRONMENT` (development, staging, production); `production` makes the stack production wherever its name (see [What keeps prod safe](safety.md#what-keeps-prod-safe))" },
  { keys: ["budget.monthlyUsd"], what: "the monthly cost ceiling: `npm run plan` fails above it" },
  { keys: ["budget.assumptions"], what: "`logIngestionGbPerMonth` (the tasks'), `databaseLogGbPerMonth` (RDS's exported log), `natDataProcessedGbPerMonth`, `efsStorageGb`, `dataSyncRunsPerMonth`, `dataSyncRunMinutes` (10 in each), `dataSyncExportStorageGb`: usage the estimate prices; `otherDashboardsInAccount` (1 in each: the other nonprod stack's, the consumer's ops dashboard in prod's account): dashboards of the account besides the stack's, which use up its 3 free ones" },
  { keys: ["network.availabilityZoneCount"], what: "AZs of the VPC (2 to 6)" },
  { keys: ["network.natGateways"], what: "None, Single or OnePerAz, always explicit" },
  { keys: ["network.cidrBlock"], what: "VPC CIDR (/16 to /24)" },
  { keys: ["network.fromStack"], what: "instead of a new VPC: `<org>/<project>/<stack>` exporting `vpcId`, `privateSubnetIds`, `publicSubnetIds`" },
  { keys: ["app.image"], what: "the bot's image, with a tag or digest (never `latest`); `npm run promote` moves a digest along dev, staging, prod" },
  { keys: ["app.containerPort"], what: "`API_PORT`" },
  { keys: ["app.logLevel"], what: "`LOG_LEVEL`" },
  { keys: ["app.logFormat"], what: "`LOG_FORMAT`" },
  { keys: ["app.apiPrefix"], what: "`API_PREFIX`" },
  { keys: ["app.accessTokenExpireMinutes"], what: "`ACCESS_TOKEN_EXPIRE_MINUTES`" },
  { keys: ["app.rateLimitPerMinute"], what: "`RATE_LIMIT_PER_MINUTE`" },
  { keys: ["app.enableProfiling", "app.enableDebugToolbar", "app.reloadOnChange", "app.fakeApiResponses"], what: "the matching variables" },
  { keys: ["app.bybitTestnet"], what: "`BYBIT_TESTNET`" },
  { keys: ["app.databasePoolSize", "app.databaseMaxOverflow", "app.redisMaxConnections"], what: "the matching variables" },
  { keys: ["service.cpu", "service.memoryMiB"], what: "task size; pairs Fargate allows" },
  { keys: ["service.cpuArchitecture"], what: "`X86_64` (default) or `ARM64` (Graviton: about 20 % less, needs an arm64 or multi-architecture image)" },
  { keys: ["service.desiredCount"], what: "tasks" },
  { keys: ["service.deploymentMinimumHealthyPercent"], what: "0 to 100" },
  { keys: ["service.deploymentMaximumPercent"], what: "100 to 200" },
  { keys: ["service.deployTimeoutMinutes"], what: "minutes `pulumi up` waits for every task to run healthy before it fails (5 to 120; default 20)" },
  { keys: ["service.capacityProviderStrategy"], what: "list of `{capacityProvider, weight, base}`; also the cluster default" },
  { keys: ["service.subnets", "service.assignPublicIp"], what: "where tasks run" },
  { keys: ["service.healthCheck"], what: "`{command, intervalSeconds, timeoutSeconds, retries, startPeriodSeconds}`; `command` is `[\"CMD\", ...]` or `[\"CMD-SHELL\", \"<line>\"]`" },
  { keys: ["service.serviceDiscovery"], what: "`{namespace, serviceName, consumers}`: the tasks in Cloud Map as `<serviceName>.<namespace>`, and who may call their API on `app.containerPort`: each consumer a `securityGroupId` or a `prefixListId`, with a `description`; at least one (see [Cloud Map](operations.md#cloud-map))" },
  { keys: ["service.containerInsights"], what: "disabled, enabled or enhanced; an alarm on `ECS/ContainerInsights` (ServiceDown and TaskDown in staging and prod) needs it on" },
  { keys: ["service.logRetentionDays"], what: "a value CloudWatch Logs accepts" },
  { keys: ["database.kind"], what: "`sqlite` (an EFS volume) or `postgres` (RDS): the keys below that kind takes" },
  { keys: ["database.dailyBackup"], what: "SQLite: a daily AWS Backup of its EFS volume" },
  { keys: ["database.instanceClass", "database.engineVersion"], what: "RDS class and PostgreSQL version" },
  { keys: ["database.multiAz", "database.backupRetentionDays", "database.deletionProtection", "database.protect"], what: "availability and recovery; `protect` is Pulumi's" },
  { keys: ["database.allocatedStorageGb", "database.maxAllocatedStorageGb"], what: "gp3 storage and its autoscaling ceiling" },
  { keys: ["database.performanceInsightsRetentionDays"], what: "0 (off), 7, or a multiple of 31" },
  { keys: ["database.databaseName", "database.username"], what: "the database PostgreSQL creates and its owner (the password is generated)" },
  { keys: ["database.identifier"], what: "the RDS instance's name and so its log group's, `/aws/rds/instance/<identifier>/postgresql` (default `trading-bot-<stack>-db`); set once, see [RDS operations](operations.md#rds-operations) for an instance created before it" },
  { keys: ["database.backupWindow", "database.maintenanceWindow"], what: "UTC; the daily backup and the weekly patching, apart from each other and outside the busiest trading hours (defaults: prod's; see [RDS operations](operations.md#rds-operations))" },
  { keys: ["cache.kind"], what: "`local` (a Redis sidecar in each task) or `cluster` (ElastiCache in cluster mode): the keys below that kind takes" },
  { keys: ["cache.image", "cache.maxMemoryMiB"], what: "the local sidecar's image and its memory cap" },
  { keys: ["cache.engine", "cache.engineVersion", "cache.nodeType"], what: "ElastiCache" },
  { keys: ["cache.shards", "cache.replicasPerShard", "cache.multiAz", "cache.snapshotRetentionDays"], what: "cluster mode layout and snapshots; Multi-AZ needs a replica" },
  { keys: ["secrets.recoveryWindowDays"], what: "days the deleted secret stays recoverable (0 or 7 to 30)" },
  { keys: ["configBucket.forceDestroy"], what: "whether `pulumi destroy` may delete the config bucket with all its object versions" },
  { keys: ["alerts.emails"], what: "e-mail addresses subscribed to each severity's SNS topic, under `info`, `warning`, `critical`; dev's and staging's alarms notify topics nobody subscribes to until you add an address (`aws sns subscribe` by hand works too)" },
  { keys: ["alerts.rules"], what: "CloudWatch alarms: a `metric`, a `ratio` or a `metricMath` (`expression` over `metrics` by id), `comparison`, `threshold`, `periodSeconds`, `evaluationPeriods` (N), `datapointsToAlarm` (M, default N), `treatMissingData`; see [Alarms](operations.md#alarms)" },
  { keys: ["dataSync.image"], what: "the db tool's image (`packages/db/Dockerfile`, see [Export and import](../packages/db/README.md)), pinned; leave `dataSync` out for no data sync" },
  { keys: ["dataSync.export", "dataSync.import"], what: "whether the stack's one-off task may export (an anonymised subset or the schema, to its own bucket) and import (from its sources); import is refused on production" },
  { keys: ["dataSync.exportRetentionDays"], what: "days S3 keeps an export (1 to 7)" },
  { keys: ["dataSync.readers", "dataSync.sources"], what: "stacks whose import task may read this stack's exports; stacks whose exports this stack imports. Each a stack name (in this stack's account) or `{ stack, account }` for a stack in another AWS account (written `stack@account` in this table)" },
  { keys: ["dashboard.enabled"], what: "a CloudWatch dashboard of the stack (`infra/dashboard.ts`; its URL is the output `dashboardUrl`); off when left out" },
  { keys: ["tradingConfig.strategies"], what: "`{name, symbol, minProfitRate, maxPositionSize}`, uploaded as `trading-config.json` to the config bucket" },
  { keys: ["bybitApiKey", "bybitSecretKey"], secret: true, what: "`BYBIT_API_KEY`, `BYBIT_SECRET_KEY`; required, must be set with `--secret`; testnet keys wherever `app.bybitTestnet` is true, live ones in prod" },
  { keys: ["secretKey"], secret: true, what: "`SECRET_KEY`; generated once when not set" },
  { keys: ["datadogApiKey", "sentryDsn"], secret: true, what: "`DATADOG_API_KEY`, `SENTRY_DSN` (the article's production monitoring); optional in every stack" },
  { keys: ["dataSyncKey"], secret: true, what: "`DATA_SYNC_KEY`, the anonymisation key; generated once in a stack that exports, read only by its data-sync task" },
];
