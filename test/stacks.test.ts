// The environment matrix (what differs between dev, staging and prod; `npm run plan -- --compare`
// prints it), row by row, on the resources the committed stack files produce under mocks.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { MockRunResult } from "../tools/engine/resource";
import { bucketOwnersVariable } from "../packages/stack-files/src/dataSyncTask";
import { parseProgramConfig, withPlaceholderSecrets } from "../tools/engine/stackFile";
import { appContainer, appEnvironment, containers, onlyResource, repoRoot, resourcesOf, runCommittedStack, runStackFile, runStackText, serviceTask } from "./helpers";

const SERVICE = "aws:ecs/service:Service";

/** The resource of `type` named `name`. */
function named(run: MockRunResult, type: string, name: string) {
  const found = resourcesOf(run, type).find((r) => r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
}
const TASK = "aws:ecs/taskDefinition:TaskDefinition";

describe("the dev stack (Pulumi.dev.yaml)", () => {
  let dev: MockRunResult;
  before(async () => {
    dev = await runCommittedStack("dev");
  });

  it("runs one task that may stop during a deployment (desired 1, min 0 %, max 200 %)", () => {
    const service = onlyResource(dev, SERVICE);
    assert.equal(service.inputs.desiredCount, 1);
    assert.equal(service.inputs.deploymentMinimumHealthyPercent, 0);
    assert.equal(service.inputs.deploymentMaximumPercent, 200);
    assert.deepEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
  });

  it("runs on Fargate Spot only, on the service and as the cluster default", () => {
    const spotOnly = [{ capacityProvider: "FARGATE_SPOT", weight: 100, base: 0 }];
    assert.deepEqual(onlyResource(dev, SERVICE).inputs.capacityProviderStrategies, spotOnly);
    assert.deepEqual(
      onlyResource(dev, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs.defaultCapacityProviderStrategies,
      spotOnly,
    );
    assert.equal(onlyResource(dev, SERVICE).inputs.launchType, undefined);
  });

  it("sizes the task at 256 CPU / 512 MiB with no health check and no Cloud Map", () => {
    const task = serviceTask(dev);
    assert.equal(task.inputs.cpu, "256");
    assert.equal(task.inputs.memory, "512");
    assert.equal(appContainer(dev).healthCheck, undefined);
    assert.equal(onlyResource(dev, SERVICE).inputs.serviceRegistries, undefined);
    assert.equal(resourcesOf(dev, "aws:servicediscovery/service:Service").length, 0);
  });

  it("gives the app the development settings (DEBUG, testnet, loose API limits, debug features on)", () => {
    const env = appEnvironment(dev);
    assert.equal(env.ENVIRONMENT, "development");
    assert.equal(env.LOG_LEVEL, "DEBUG");
    assert.equal(env.BYBIT_TESTNET, "true");
    assert.equal(env.ACCESS_TOKEN_EXPIRE_MINUTES, "1440");
    assert.equal(env.RATE_LIMIT_PER_MINUTE, "600");
    assert.equal(env.ENABLE_PROFILING, "true");
    assert.equal(env.ENABLE_DEBUG_TOOLBAR, "true");
    assert.equal(env.RELOAD_ON_CHANGE, "true");
    assert.equal(env.FAKE_API_RESPONSES, "true");
  });

  it("uses SQLite on an encrypted EFS volume mounted at /data, backed up daily", () => {
    const fileSystem = onlyResource(dev, "aws:efs/fileSystem:FileSystem");
    assert.equal(fileSystem.inputs.encrypted, true);
    assert.deepEqual(onlyResource(dev, "aws:efs/backupPolicy:BackupPolicy").inputs.backupPolicy, { status: "ENABLED" });
    assert.equal(resourcesOf(dev, "aws:efs/mountTarget:MountTarget").length, 2);
    const volumes = serviceTask(dev).inputs.volumes as { name: string; efsVolumeConfiguration: Record<string, unknown> }[];
    assert.equal(volumes.length, 1);
    assert.equal(volumes[0].efsVolumeConfiguration.transitEncryption, "ENABLED");
    assert.deepEqual(appContainer(dev).mountPoints, [{ sourceVolume: "sqlite-data", containerPath: "/data", readOnly: false }]);
    assert.equal(resourcesOf(dev, "aws:rds/instance:Instance").length, 0);
    assert.equal(dev.outputs.databaseUrl, "sqlite:////data/trading.db");
    assert.deepEqual(JSON.parse(String(onlyResource(dev, "aws:efs/fileSystemPolicy:FileSystemPolicy").inputs.policy)), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyUnencryptedTransport",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "*",
          Resource: fileSystem.state.arn,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
    const accessPoint = onlyResource(dev, "aws:efs/accessPoint:AccessPoint");
    const taskPolicy = JSON.parse(String(resourcesOf(dev, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "trading-bot-task-inline")!.inputs.policy));
    assert.deepEqual(taskPolicy.Statement.find((st: { Sid: string }) => st.Sid === "MountSqliteVolume"), {
      Sid: "MountSqliteVolume",
      Effect: "Allow",
      Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
      Resource: [fileSystem.state.arn],
      Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": accessPoint.state.arn } },
    });
  });

  it("runs Redis as a sidecar the app waits for, at redis://localhost:6379/0", () => {
    const redis = containers(dev).find((c) => c.name === "redis");
    assert.ok(redis, "a redis sidecar");
    assert.equal(redis.image, "public.ecr.aws/docker/library/redis:7.4-alpine");
    assert.deepEqual(appContainer(dev).dependsOn, [{ containerName: "redis", condition: "HEALTHY" }]);
    assert.equal(resourcesOf(dev, "aws:elasticache/replicationGroup:ReplicationGroup").length, 0);
    assert.equal(dev.outputs.cacheUrl, "redis://localhost:6379/0");
  });

  it("has no NAT gateway: tasks run in public subnets with a public IP and no inbound rule", () => {
    const vpc = onlyResource(dev, "awsx:ec2:Vpc");
    assert.deepEqual(vpc.inputs.natGateways, { strategy: "None" });
    const network = onlyResource(dev, SERVICE).inputs.networkConfiguration as Record<string, unknown>;
    assert.equal(network.assignPublicIp, true);
    assert.deepEqual(network.subnets, ["subnet-public-1", "subnet-public-2"]);
    const serviceSg = resourcesOf(dev, "aws:ec2/securityGroup:SecurityGroup").find((r) => r.name === "trading-bot-sg")!;
    const ingressToService = resourcesOf(dev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
      (rule) => rule.inputs.securityGroupId === `${serviceSg.name}-id`,
    );
    assert.deepEqual(ingressToService, []);
  });

  it("lets pulumi destroy remove the config bucket with its object versions", () => {
    assert.equal(named(dev, "aws:s3/bucket:Bucket", "trading-bot-config-bucket").inputs.forceDestroy, true);
  });

  it("keeps basic monitoring: Container Insights off, 7-day logs, ServiceDown (5 of 5 m, info) and HighMemoryUsage (> 90 % for 10 of 10 m, warning)", () => {
    assert.deepEqual(onlyResource(dev, "aws:ecs/cluster:Cluster").inputs.settings, [{ name: "containerInsights", value: "disabled" }]);
    assert.equal(named(dev, "aws:cloudwatch/logGroup:LogGroup", "trading-bot-logs").inputs.retentionInDays, 7);
    const alarms = resourcesOf(dev, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepEqual(alarms.map((a) => a.inputs.name), ["trading-bot-dev-ServiceDown", "trading-bot-dev-HighMemoryUsage"]);
    const [down, memory] = alarms.map((a) => a.inputs);
    // Container Insights is off: CPU samples, none for 5 of 5 minutes.
    assert.deepEqual([down.namespace, down.metricName, down.statistic], ["AWS/ECS", "CPUUtilization", "SampleCount"]);
    assert.deepEqual([down.period, down.datapointsToAlarm, down.evaluationPeriods, down.treatMissingData], [60, 5, 5, "breaching"]);
    assert.match(String(down.alarmDescription), /^\[info\]/);
    assert.equal(memory.metricName, "MemoryUtilization");
    assert.equal(memory.threshold, 90);
    assert.deepEqual([memory.period, memory.datapointsToAlarm, memory.evaluationPeriods, memory.treatMissingData], [60, 10, 10, "notBreaching"]);
    assert.match(String(memory.alarmDescription), /^\[warning\]/);
  });
});

describe("the prod stack (Pulumi.prod.yaml)", () => {
  let prod: MockRunResult;
  before(async () => {
    prod = await runCommittedStack("prod");
  });

  it("runs three tasks, keeping at least half through a deployment (min 50 %, max 150 %)", () => {
    const service = onlyResource(prod, SERVICE);
    assert.equal(service.inputs.desiredCount, 3);
    assert.equal(service.inputs.deploymentMinimumHealthyPercent, 50);
    assert.equal(service.inputs.deploymentMaximumPercent, 150);
    assert.deepEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
  });

  it("runs on on-demand Fargate only", () => {
    const onDemand = [{ capacityProvider: "FARGATE", weight: 100, base: 0 }];
    assert.deepEqual(onlyResource(prod, SERVICE).inputs.capacityProviderStrategies, onDemand);
    assert.deepEqual(
      onlyResource(prod, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs.defaultCapacityProviderStrategies,
      onDemand,
    );
  });

  it("sizes the task at 1024 CPU / 2048 MiB with the curl health check (30 s / 5 s / 3 / 60 s)", () => {
    const task = serviceTask(prod);
    assert.equal(task.inputs.cpu, "1024");
    assert.equal(task.inputs.memory, "2048");
    assert.deepEqual(appContainer(prod).healthCheck, {
      command: ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"],
      interval: 30,
      timeout: 5,
      retries: 3,
      startPeriod: 60,
    });
  });

  it("has no Cloud Map, and its tasks admit no one: nothing calls the bot's API", () => {
    assert.equal(resourcesOf(prod, "aws:servicediscovery/service:Service").length, 0);
    assert.equal(resourcesOf(prod, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace").length, 0);
    assert.equal(onlyResource(prod, SERVICE).inputs.serviceRegistries, undefined);
    assert.equal(prod.outputs.serviceDiscoveryName, null);
    const taskGroup = named(prod, "aws:ec2/securityGroup:SecurityGroup", "trading-bot-sg");
    const rules = resourcesOf(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    assert.ok(rules.length >= 2, "the database's and the cache's rules exist");
    assert.deepEqual(rules.filter((r) => r.inputs.securityGroupId === `${taskGroup.name}-id`), [], "none on the tasks' group");
  });

  it("registers the tasks in Cloud Map when a consumer is named, and admits exactly the named consumers on the API's port", async () => {
    const prodYaml = fs.readFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), "utf8");
    const withDiscovery = prodYaml.replace(
      "    serviceDiscovery: null\n",
      "    serviceDiscovery:\n      namespace: trading.internal\n      serviceName: trading-bot\n      consumers:\n" +
        "        - { securityGroupId: sg-0a1b2c3d4e5f60718, description: ops dashboard (acme/ops/prod) }\n" +
        "        - { prefixListId: pl-0f1e2d3c4b5a69788, description: office VPN }\n",
    );
    assert.notEqual(withDiscovery, prodYaml);
    const run = await runStackText("prod", withDiscovery);
    const discovery = onlyResource(run, "aws:servicediscovery/service:Service");
    assert.deepEqual(onlyResource(run, SERVICE).inputs.serviceRegistries, { registryArn: discovery.state.arn });
    assert.equal(onlyResource(run, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace").inputs.name, "trading.internal");
    assert.equal(run.outputs.serviceDiscoveryName, "trading-bot.trading.internal");
    const taskGroup = named(run, "aws:ec2/securityGroup:SecurityGroup", "trading-bot-sg");
    const rules = resourcesOf(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.startsWith("trading-bot-api-from-consumer-"));
    assert.deepEqual(rules.map((r) => r.inputs), [
      { securityGroupId: `${taskGroup.name}-id`, referencedSecurityGroupId: "sg-0a1b2c3d4e5f60718", ipProtocol: "tcp", fromPort: 8080, toPort: 8080, description: "Trading bot API from ops dashboard (acme/ops/prod)" },
      { securityGroupId: `${taskGroup.name}-id`, prefixListId: "pl-0f1e2d3c4b5a69788", ipProtocol: "tcp", fromPort: 8080, toPort: 8080, description: "Trading bot API from office VPN" },
    ]);
  });

  it("gives the app the production settings (WARNING, live Bybit, strict API limits, debug features off)", () => {
    const env = appEnvironment(prod);
    assert.equal(env.ENVIRONMENT, "production");
    assert.equal(env.LOG_LEVEL, "WARNING");
    assert.equal(env.BYBIT_TESTNET, "false");
    assert.equal(env.ACCESS_TOKEN_EXPIRE_MINUTES, "15");
    assert.equal(env.RATE_LIMIT_PER_MINUTE, "60");
    for (const feature of ["ENABLE_PROFILING", "ENABLE_DEBUG_TOOLBAR", "RELOAD_ON_CHANGE", "FAKE_API_RESPONSES"]) {
      assert.equal(env[feature], "false", feature);
    }
    assert.equal(env.DATABASE_POOL_SIZE, "20");
    assert.equal(env.DATABASE_MAX_OVERFLOW, "30");
    assert.equal(env.REDIS_MAX_CONNECTIONS, "50");
  });

  it("uses a highly available, protected PostgreSQL with point-in-time recovery", () => {
    const db = onlyResource(prod, "aws:rds/instance:Instance");
    assert.equal(db.inputs.engine, "postgres");
    assert.equal(db.inputs.multiAz, true);
    assert.equal(db.inputs.storageType, "gp3");
    assert.equal(db.inputs.storageEncrypted, true);
    assert.equal(db.inputs.publiclyAccessible, false);
    assert.equal(db.inputs.deletionProtection, true);
    assert.equal(db.inputs.skipFinalSnapshot, false);
    assert.equal(db.inputs.backupRetentionPeriod, 14);
    assert.equal(db.inputs.performanceInsightsEnabled, true);
    assert.equal(db.protect, true);
    assert.equal(resourcesOf(prod, "aws:efs/fileSystem:FileSystem").length, 0);
  });

  it("uses an ElastiCache cluster: cluster mode, failover across AZs, TLS with an auth token, encrypted, snapshots", () => {
    const group = onlyResource(prod, "aws:elasticache/replicationGroup:ReplicationGroup");
    assert.equal(group.inputs.clusterMode, "enabled");
    assert.equal(group.inputs.automaticFailoverEnabled, true);
    assert.equal(group.inputs.multiAzEnabled, true);
    assert.equal(group.inputs.numNodeGroups, 1);
    assert.equal(group.inputs.replicasPerNodeGroup, 1);
    assert.equal(group.inputs.transitEncryptionEnabled, true);
    assert.equal(group.inputs.atRestEncryptionEnabled, true);
    assert.ok(group.secretInputs.includes("authToken"), "the auth token is a secret");
    assert.equal(group.inputs.snapshotRetentionLimit, 7);
    assert.equal(group.inputs.parameterGroupName, "default.valkey8.cluster.on");
    assert.equal(containers(prod).length, 1, "no sidecar");
  });

  it("runs tasks in private subnets without public IPs, behind one NAT gateway per AZ", () => {
    assert.deepEqual(onlyResource(prod, "awsx:ec2:Vpc").inputs.natGateways, { strategy: "OnePerAz" });
    const network = onlyResource(prod, SERVICE).inputs.networkConfiguration as Record<string, unknown>;
    assert.equal(network.assignPublicIp, false);
    assert.deepEqual(network.subnets, ["subnet-private-1", "subnet-private-2"]);
  });

  it("monitors comprehensively: Container Insights, ServiceDown, TaskDown, Heartbeat, HighErrorRate and TradingLoss, all critical, each M of N", () => {
    assert.deepEqual(onlyResource(prod, "aws:ecs/cluster:Cluster").inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
    const alarms: Record<string, Record<string, unknown>> = Object.fromEntries(
      resourcesOf(prod, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [String(a.inputs.name).replace("trading-bot-prod-", ""), a.inputs]),
    );
    assert.deepEqual(Object.keys(alarms), ["ServiceDown", "TaskDown", "Heartbeat", "HighErrorRate", "TradingLoss"]);
    const criticalTopic = resourcesOf(prod, "aws:sns/topic:Topic").find((t) => t.name === "trading-bot-alerts-critical")!;
    assert.deepEqual(criticalTopic.inputs.tags, { "trading-bot:severity": "critical" });
    for (const alarm of Object.values(alarms)) {
      assert.deepEqual(alarm.alarmActions, [criticalTopic.state.arn]);
      assert.equal(alarm.actionsEnabled, true);
      assert.match(String(alarm.alarmDescription), /^\[critical\]/);
      assert.deepEqual(alarm.tags, { "trading-bot:severity": "critical" });
    }
    // [period, M, N, missing data] of each, as Pulumi.prod.yaml chose them.
    const shape = (a: Record<string, unknown>) => [a.period ?? (a.metricQueries as { metric?: { period: number } }[])[0].metric!.period, a.datapointsToAlarm, a.evaluationPeriods, a.treatMissingData];
    assert.deepEqual(Object.fromEntries(Object.entries(alarms).map(([name, a]) => [name, shape(a)])), {
      ServiceDown: [60, 2, 3, "breaching"],
      TaskDown: [60, 7, 10, "notBreaching"],
      Heartbeat: [60, 3, 5, "breaching"],
      HighErrorRate: [60, 2, 2, "notBreaching"],
      TradingLoss: [60, 1, 1, "ignore"],
    });

    const down = alarms.ServiceDown;
    assert.deepEqual([down.namespace, down.metricName, down.statistic, down.comparisonOperator, down.threshold], ["ECS/ContainerInsights", "RunningTaskCount", "Maximum", "LessThanThreshold", 1]);
    const service = onlyResource(prod, SERVICE);
    const cluster = onlyResource(prod, "aws:ecs/cluster:Cluster");
    assert.deepEqual(down.dimensions, { ClusterName: cluster.state.name, ServiceName: service.state.name });

    // Desired minus running, both read at alarm time: the threshold is 0, not a count frozen at the stack file's.
    const taskDown = alarms.TaskDown;
    assert.equal(taskDown.metricName, undefined);
    assert.deepEqual([taskDown.comparisonOperator, taskDown.threshold], ["GreaterThanThreshold", 0]);
    assert.deepEqual(taskDown.metricQueries, [
      { id: "desired", returnData: false, metric: { namespace: "ECS/ContainerInsights", metricName: "DesiredTaskCount", stat: "Maximum", dimensions: down.dimensions, period: 60 } },
      { id: "running", returnData: false, metric: { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", stat: "Maximum", dimensions: down.dimensions, period: 60 } },
      { id: "result", expression: "desired - running", label: "TaskDown", returnData: true },
    ]);

    const heartbeat = alarms.Heartbeat;
    assert.deepEqual([heartbeat.namespace, heartbeat.metricName, heartbeat.statistic, heartbeat.comparisonOperator, heartbeat.threshold], ["TradingBot", "Heartbeat", "Sum", "LessThanThreshold", 1]);
    assert.deepEqual(heartbeat.dimensions, { Environment: "production" });

    const errors = alarms.HighErrorRate;
    assert.equal(errors.threshold, 0.01);
    assert.equal(errors.comparisonOperator, "GreaterThanThreshold");
    const queries = errors.metricQueries as { id: string; expression?: string; metric?: Record<string, unknown> }[];
    assert.deepEqual(queries.map((q) => q.id), ["numerator", "denominator", "ratio"]);
    assert.equal(queries[2].expression, "IF(denominator > 0, numerator / denominator, 0)");
    assert.deepEqual(queries[0].metric, {
      namespace: "TradingBot",
      metricName: "HttpRequests5xx",
      stat: "Sum",
      dimensions: { Environment: "production" },
      period: 60,
    });

    const loss = alarms.TradingLoss;
    assert.deepEqual([loss.metricName, loss.statistic, loss.comparisonOperator, loss.threshold], ["TradingPnl", "Maximum", "LessThanThreshold", -10000]);

    const subscription = onlyResource(prod, "aws:sns/topicSubscription:TopicSubscription");
    assert.deepEqual(subscription.inputs, { topic: criticalTopic.state.arn, protocol: "email", endpoint: "trading-alerts@example.com" });
  });

  it("keeps every credential out of the plain environment: one secret, a JSON key each, read by ECS as <arn>:<KEY>::<versionId>", () => {
    const secret = onlyResource(prod, "aws:secretsmanager/secret:Secret");
    assert.equal(secret.inputs.namePrefix, "trading-bot/prod/");
    assert.equal(secret.inputs.recoveryWindowInDays, 30);
    const keys = ["BYBIT_API_KEY", "BYBIT_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"];
    const version = onlyResource(prod, "aws:secretsmanager/secretVersion:SecretVersion");
    const versionId = String(version.state.versionId);
    assert.match(versionId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(appContainer(prod).secrets, keys.map((key) => ({ name: key, valueFrom: `${secret.state.arn}:${key}::${versionId}` })));
    assert.equal(prod.outputs.appSecretVersionId, versionId);
    assert.deepEqual(version.secretInputs, ["secretString"], "stored as a Pulumi secret");
    assert.deepEqual(Object.keys(JSON.parse(String(version.inputs.secretString))), [...keys, "DATA_SYNC_KEY"].sort(), "prod exports: it holds the anonymisation key too");
    const env = appEnvironment(prod);
    for (const name of keys) assert.equal(env[name], undefined, `${name} is not plain environment`);
    const plainText = JSON.stringify(serviceTask(prod).inputs);
    assert.doesNotMatch(plainText, /placeholder-for-secret|mock-random/, "no secret value in the task definition");
    assert.deepEqual(prod.outputs.appSecretKeys, [...keys, "DATA_SYNC_KEY"].sort());
    assert.equal(prod.outputs.appSecretArn, secret.state.arn);
    assert.equal(prod.outputs.databaseUrlValueFrom, `${secret.state.arn}:DATABASE_URL::`);
  });

  it("lets the execution role read that one secret, and the task role read its config bucket and publish to TradingBot only", () => {
    const policies = Object.fromEntries(resourcesOf(prod, "aws:iam/rolePolicy:RolePolicy").map((p) => [p.name, JSON.parse(String(p.inputs.policy))]));
    const secretArn = onlyResource(prod, "aws:secretsmanager/secret:Secret").state.arn;
    assert.deepEqual(policies["trading-bot-execution-inline"].Statement, [
      { Sid: "ReadAppSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secretArn] },
    ]);
    const bucketArn = named(prod, "aws:s3/bucket:Bucket", "trading-bot-config-bucket").state.arn;
    assert.deepEqual(policies["trading-bot-task-inline"].Statement, [
      { Sid: "ListConfigBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn] },
      { Sid: "ReadConfigObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: [`${bucketArn}/*`] },
      {
        Sid: "PublishAppMetrics",
        Effect: "Allow",
        Action: ["cloudwatch:PutMetricData"],
        Resource: ["*"],
        Condition: { StringEquals: { "cloudwatch:namespace": "TradingBot" } },
      },
    ]);
    assert.equal(appEnvironment(prod).METRICS_NAMESPACE, "TradingBot");
  });

  it("opens the database and the cache to the service's security group only", () => {
    const groups = Object.fromEntries(resourcesOf(prod, "aws:ec2/securityGroup:SecurityGroup").map((g) => [g.name, `${g.name}-id`]));
    const rules = resourcesOf(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => ({
      to: r.inputs.securityGroupId,
      from: r.inputs.referencedSecurityGroupId,
      port: r.inputs.fromPort,
      cidr: r.inputs.cidrIpv4,
    }));
    assert.deepEqual(rules, [
      { to: groups["trading-bot-db-sg"], from: groups["trading-bot-sg"], port: 5432, cidr: undefined },
      { to: groups["trading-bot-cache-sg"], from: groups["trading-bot-sg"], port: 6379, cidr: undefined },
      { to: groups["trading-bot-db-sg"], from: groups["trading-bot-data-sync-sg"], port: 5432, cidr: undefined },
    ]);
  });

  it("uploads the trading configuration to a private, versioned, encrypted bucket passed as AWS_S3_BUCKET", () => {
    const bucket = named(prod, "aws:s3/bucket:Bucket", "trading-bot-config-bucket");
    assert.equal(bucket.inputs.bucketPrefix, "trading-config-prod-");
    assert.equal(bucket.inputs.forceDestroy, false, "its versions outlive a destroy");
    assert.deepEqual(named(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "trading-bot-config-public-access-block").inputs, {
      bucket: `${bucket.name}-id`,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    assert.deepEqual(onlyResource(prod, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration, { status: "Enabled" });
    const object = onlyResource(prod, "aws:s3/bucketObjectv2:BucketObjectv2");
    assert.equal(object.inputs.key, "trading-config.json");
    assert.deepEqual(JSON.parse(String(object.inputs.content)), {
      strategies: [{ name: "arbitrage-test", symbol: "BTCUSDT", minProfitRate: 0.001, maxPositionSize: 1000 }],
    });
    const env = appEnvironment(prod);
    assert.equal(env.AWS_S3_BUCKET, bucket.state.bucket);
    assert.equal(env.AWS_REGION, "us-east-1");
    // SSE-S3; a bucket key would only apply to SSE-KMS.
    assert.deepEqual(named(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "trading-bot-config-encryption").inputs.rules, [
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    assert.deepEqual(JSON.parse(String(named(prod, "aws:s3/bucketPolicy:BucketPolicy", "trading-bot-config-tls-only").inputs.policy)), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucket.state.arn, `${bucket.state.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  it("pages TaskDown below the desired count, whatever that count is: the alarm does not change with it", async () => {
    const prodYaml = fs.readFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), "utf8");
    assert.ok(prodYaml.includes("desiredCount: 3"));
    const four = await runStackText("prod", prodYaml.replace("desiredCount: 3", "desiredCount: 4"));
    const taskDownOf = (run: MockRunResult) => resourcesOf(run, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.name === "trading-bot-prod-TaskDown")!.inputs;
    assert.equal(onlyResource(four, SERVICE).inputs.desiredCount, 4);
    assert.deepEqual(taskDownOf(four), taskDownOf(prod));
  });

  it("runs RDS with its own windows, parameter group and log group: backups at 04:00 UTC, patches Sunday 05:00, the log kept 90 days", () => {
    const db = onlyResource(prod, "aws:rds/instance:Instance");
    assert.equal(db.inputs.identifier, "trading-bot-prod-db");
    assert.equal(db.inputs.backupWindow, "04:00-04:30");
    assert.equal(db.inputs.maintenanceWindow, "sun:05:00-sun:05:30");
    const parameters = onlyResource(prod, "aws:rds/parameterGroup:ParameterGroup");
    assert.equal(db.inputs.parameterGroupName, parameters.state.name);
    assert.equal(parameters.inputs.family, "postgres17");
    assert.deepEqual(parameters.inputs.parameters, [
      { name: "log_min_duration_statement", value: "1000" },
      { name: "rds.force_ssl", value: "1" },
    ]);
    assert.deepEqual(db.inputs.enabledCloudwatchLogsExports, ["postgresql"]);
    const logs = named(prod, "aws:cloudwatch/logGroup:LogGroup", "trading-bot-db-postgresql-logs");
    assert.deepEqual(logs.inputs, { name: "/aws/rds/instance/trading-bot-prod-db/postgresql", retentionInDays: 90 });
    assert.ok(db.dependencies!.includes(logs.urn), "the log group exists before RDS writes to it");
    assert.equal(prod.outputs.databaseLogGroupName, "/aws/rds/instance/trading-bot-prod-db/postgresql");
  });

  it("never replaces or renames the existing prod instance: the same URN, the identifier set once and then ignored, a replacement deletes first", () => {
    const db = onlyResource(prod, "aws:rds/instance:Instance");
    // The URN it has had since it was created: a change of name, type or parent would replace it.
    assert.equal(db.urn, "urn:pulumi:prod::trading-bot::trading-bot:infra:PostgresDatabase$aws:rds/instance:Instance::trading-bot-db-instance");
    // An instance created before trading-bot:database.identifier has Pulumi's generated name in its
    // state: the engine takes the identifier from there (ignoreChanges), so the new input renames nothing.
    assert.deepEqual(db.ignoreChanges, ["identifier"]);
    assert.equal(db.protect, true, "and prod's is protected: a replacement would stop pulumi up");
    // Were it replaced (an unprotected stack, a new database name), the identifier stays: the old one goes first.
    assert.equal(db.deleteBeforeReplace, true);
  });

  it("keeps each RDS instance's final snapshot under its own name: a new suffix whenever the instance is replaced, the same one otherwise", async () => {
    const snapshotOf = (run: MockRunResult) => {
      const db = onlyResource(run, "aws:rds/instance:Instance");
      const suffix = onlyResource(run, "random:index/randomId:RandomId");
      return { db, suffix, keepers: suffix.inputs.keepers as Record<string, string> };
    };
    const { db, suffix, keepers } = snapshotOf(prod);
    assert.equal(db.inputs.finalSnapshotIdentifier, `trading-bot-prod-db-final-${suffix.state.hex}`);
    assert.match(String(db.inputs.finalSnapshotIdentifier), /^trading-bot-prod-db-final-[0-9a-f]{8}$/);
    assert.ok(!db.ignoreChanges!.includes("finalSnapshotIdentifier"), "an ignored name would pass the old instance's to its replacement");
    // The keepers are the instance's inputs that the provider cannot change in place.
    assert.deepEqual(keepers, {
      engine: db.inputs.engine,
      storageEncrypted: String(db.inputs.storageEncrypted),
      dbName: db.inputs.dbName,
      username: db.inputs.username,
    });

    const prodYaml = fs.readFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), "utf8");
    const renamed = snapshotOf(await runStackText("prod", prodYaml.replace("databaseName: trading", "databaseName: trading_v2")));
    assert.equal(renamed.keepers.dbName, "trading_v2", "a new database name replaces the instance, and so the suffix");
    const resized = snapshotOf(await runStackText("prod", prodYaml.replace("instanceClass: db.t4g.small", "instanceClass: db.t4g.medium")));
    assert.equal(resized.db.inputs.instanceClass, "db.t4g.medium");
    assert.deepEqual(resized.keepers, keepers, "a new instance class is changed in place: same suffix");
  });
});

describe("the staging stack (Pulumi.staging.yaml)", () => {
  let staging: MockRunResult;
  before(async () => {
    staging = await runCommittedStack("staging");
  });

  it("runs two on-demand tasks of 512 CPU / 1024 MiB, rolling out at 200 % / 50 %, with the health check", () => {
    const service = onlyResource(staging, SERVICE);
    assert.equal(service.inputs.desiredCount, 2);
    assert.equal(service.inputs.deploymentMaximumPercent, 200);
    assert.equal(service.inputs.deploymentMinimumHealthyPercent, 50);
    assert.deepEqual(service.inputs.capacityProviderStrategies, [{ capacityProvider: "FARGATE", weight: 100, base: 0 }]);
    const task = serviceTask(staging);
    assert.equal(task.inputs.cpu, "512");
    assert.equal(task.inputs.memory, "1024");
    assert.deepEqual(appContainer(staging).healthCheck?.command, ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]);
    assert.equal((service.inputs.networkConfiguration as Record<string, unknown>).assignPublicIp, false);
  });

  it("uses single-AZ PostgreSQL db.t4g.micro, unprotected, and a one-shard ElastiCache cluster without replicas", () => {
    const db = onlyResource(staging, "aws:rds/instance:Instance");
    assert.equal(db.inputs.instanceClass, "db.t4g.micro");
    assert.equal(db.inputs.multiAz, false);
    assert.equal(db.protect, false);
    const cache = onlyResource(staging, "aws:elasticache/replicationGroup:ReplicationGroup");
    assert.equal(cache.inputs.clusterMode, "enabled");
    assert.equal(cache.inputs.numNodeGroups, 1);
    assert.equal(cache.inputs.replicasPerNodeGroup, 0);
    assert.equal(cache.inputs.multiAzEnabled, false);
    assert.equal(cache.inputs.automaticFailoverEnabled, true, "ElastiCache refuses cluster mode without it");
  });

  it("runs on Bybit testnet at INFO with debug features off, Container Insights on, behind one NAT gateway", () => {
    const env = appEnvironment(staging);
    assert.equal(env.ENVIRONMENT, "staging");
    assert.equal(env.BYBIT_TESTNET, "true");
    assert.equal(env.LOG_LEVEL, "INFO");
    assert.equal(env.ENABLE_PROFILING, "false");
    assert.deepEqual(onlyResource(staging, "aws:ecs/cluster:Cluster").inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
    assert.deepEqual(onlyResource(staging, "awsx:ec2:Vpc").inputs.natGateways, { strategy: "Single" });
    assert.deepEqual(
      resourcesOf(staging, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs.name),
      ["trading-bot-staging-ServiceDown", "trading-bot-staging-TaskDown", "trading-bot-staging-Heartbeat", "trading-bot-staging-HighErrorRate"],
    );
    assert.equal(named(staging, "aws:s3/bucket:Bucket", "trading-bot-config-bucket").inputs.bucketPrefix, "trading-config-staging-");
  });
});

describe("every committed stack's first pulumi up", () => {
  for (const stack of ["dev", "staging", "prod"]) {
    describe(stack, () => {
      let run: MockRunResult;
      before(async () => {
        run = await runCommittedStack(stack);
      });

      it("starts the service only after everything its tasks need: secret value, role grants, config, database, cache, ingress, egress, mount targets", () => {
        const service = onlyResource(run, SERVICE);
        const needed = [
          "aws:secretsmanager/secretVersion:SecretVersion",
          "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
          "aws:iam/rolePolicy:RolePolicy",
          "aws:s3/bucketObjectv2:BucketObjectv2",
          "aws:rds/instance:Instance",
          "aws:elasticache/replicationGroup:ReplicationGroup",
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
          "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
          "aws:efs/mountTarget:MountTarget",
          "aws:efs/accessPoint:AccessPoint",
        ]
          .flatMap((type) => resourcesOf(run, type))
          .filter((r) => !r.name.includes("data-sync")) // the one-off task's own, not the service's
          .map((r) => r.urn);
        assert.ok(needed.length >= 6, `found ${needed.length} resources the tasks need`);
        const missing = needed.filter((urn) => !service.dependencies!.includes(urn));
        assert.deepEqual(missing, [], "the service's dependencies include every one");
        // The task definition reads the roles through their ARNs: an edge the engine records too.
        const task = serviceTask(run);
        for (const role of resourcesOf(run, "aws:iam/role:Role").filter((r) => !r.name.includes("data-sync"))) {
          assert.ok(task.dependencies!.includes(role.urn), role.name);
        }
      });

      it("creates the data-sync task definition only after everything its task needs: secret value, role grants, database, ingress, egress", () => {
        const task = resourcesOf(run, TASK).find((t) => t.name === "trading-bot-data-sync-task")!;
        const needed = [
          "aws:secretsmanager/secretVersion:SecretVersion",
          "aws:rds/instance:Instance",
          "aws:efs/mountTarget:MountTarget",
          ...["aws:iam/rolePolicy:RolePolicy", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"].map((type) => ({ type, named: "trading-bot-data-sync" })),
          { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", named: "trading-bot-db-from-data-sync" },
        ]
          .flatMap((need) => (typeof need === "string" ? resourcesOf(run, need) : resourcesOf(run, need.type).filter((r) => r.name.startsWith(need.named))))
          .map((r) => r.urn);
        assert.ok(needed.length >= 5, `found ${needed.length} resources the task needs`);
        assert.deepEqual(needed.filter((urn) => !task.dependencies!.includes(urn)), [], "the task definition's dependencies include every one");
      });

      it("waits for the service's steady state, within the stack's deploy timeout", () => {
        const service = onlyResource(run, SERVICE);
        assert.equal(service.inputs.waitForSteadyState, true);
        const minutes = { dev: 10, staging: 15, prod: 20 }[stack];
        assert.deepEqual(service.customTimeouts, { create: `${minutes}m`, update: `${minutes}m` });
      });

      it("keeps the Cloud Map custom health check the provider would otherwise drop", () => {
        for (const discovery of resourcesOf(run, "aws:servicediscovery/service:Service")) {
          assert.deepEqual(discovery.inputs.healthCheckCustomConfig, { failureThreshold: 1 });
        }
      });
    });
  }
});

describe("a change of configuration rolls the service", () => {
  const devYaml = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
  const task = async (yaml: string) => serviceTask(await runStackText("dev", yaml)).inputs.containerDefinitions;

  it("a changed trading configuration makes a new task definition (TRADING_CONFIG_SHA256)", async () => {
    const before = await task(devYaml);
    const after = await task(devYaml.replace("minProfitRate: 0.001", "minProfitRate: 0.002"));
    assert.notEqual(after, before);
    const hashOf = (json: unknown) => (JSON.parse(String(json))[0].environment as { name: string; value: string }[]).find((e) => e.name === "TRADING_CONFIG_SHA256")!.value;
    assert.match(hashOf(before), /^[0-9a-f]{64}$/);
    assert.notEqual(hashOf(after), hashOf(before));
  });

  it("an unchanged one changes nothing", async () => {
    const inputsOf = async (yaml: string) => serviceTask(await runStackText("dev", yaml)).inputs;
    const before = await inputsOf(devYaml);
    assert.deepEqual(await inputsOf(devYaml.replace("# dev: the cheap trial field.", "# dev: a comment changed.")), before);
    // The same configuration written in flow style: the same objects, the same hash, the same task definition.
    const reformatted = devYaml.replace(
      "      - name: arbitrage-test\n        symbol: BTCUSDT\n        minProfitRate: 0.001\n        maxPositionSize: 1000\n",
      "      - { name: arbitrage-test, symbol: BTCUSDT, minProfitRate: 1.0e-3, maxPositionSize: 1000 }\n",
    );
    assert.notEqual(reformatted, devYaml);
    assert.deepEqual(await inputsOf(reformatted), before);
  });
});

describe("a changed secret rolls the service", () => {
  const prodFile = withPlaceholderSecrets(parseProgramConfig("prod", fs.readFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), "utf8")));
  /** prod with `values` as its secret config (by key without the namespace); the task definitions and the stored version. */
  const runWith = async (values: Record<string, string>, file = prodFile) => {
    const keys = Object.keys(values).map((key) => `trading-bot:${key}`);
    const config = { ...file.config, ...Object.fromEntries(Object.entries(values).map(([key, value]) => [`trading-bot:${key}`, value])) };
    const run = await runStackFile({ ...file, config, secretKeys: [...new Set([...file.secretKeys, ...keys])] });
    const versionId = onlyResource(run, "aws:secretsmanager/secretVersion:SecretVersion").state.versionId as string;
    const dataSync = resourcesOf(run, TASK).find((t) => t.inputs.family === "trading-bot-prod-data-sync")!;
    return { versionId, service: serviceTask(run).inputs.containerDefinitions, dataSync: dataSync.inputs.containerDefinitions };
  };
  const base = { bybitApiKey: "live-key-1", bybitSecretKey: "live-secret-1", secretKey: "app-secret-1", datadogApiKey: "dd-1", sentryDsn: "https://a@sentry.example/1", dataSyncKey: "sync-1" };
  let original: Awaited<ReturnType<typeof runWith>>;
  before(async () => {
    original = await runWith(base);
  });

  it("the same values twice: the same version, the same task definitions", async () => {
    const again = await runWith({ ...base });
    assert.deepEqual(again, original);
  });

  // Every key, DATABASE_URL and REDIS_URL included, one at a time: at the component, in
  // test/components.test.ts ("AppSecrets names the version in every valueFrom ...").
  it("a rotated Bybit secret: a new version, so new task definitions that name it", async () => {
    const after = await runWith({ ...base, bybitSecretKey: "live-secret-2" });
    assert.notEqual(after.versionId, original.versionId);
    assert.notEqual(after.service, original.service, "the service's task definition changes: ECS rolls the tasks");
    assert.notEqual(after.dataSync, original.dataSync);
    assert.ok(String(after.service).includes(`::${after.versionId}`), "the new revision reads the new version");
    assert.ok(!String(after.service).includes(original.versionId));
  });
});

describe("optional settings", () => {
  const devYaml = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");

  it("gives the app DATADOG_API_KEY and SENTRY_DSN from the stack's secret when they are set", async () => {
    const { parseProgramConfig, withPlaceholderSecrets } = await import("../tools/engine/stackFile");
    const file = withPlaceholderSecrets(parseProgramConfig("dev", devYaml));
    const withMonitoring = {
      ...file,
      config: { ...file.config, "trading-bot:datadogApiKey": "dd-key", "trading-bot:sentryDsn": "https://key@sentry.example/1" },
      secretKeys: [...file.secretKeys, "trading-bot:datadogApiKey", "trading-bot:sentryDsn"],
    };
    const dev = await runStackFile(withMonitoring);
    const names = (appContainer(dev).secrets ?? []).map((s) => s.name);
    assert.deepEqual(names, ["BYBIT_API_KEY", "BYBIT_SECRET_KEY", "DATABASE_URL", "DATADOG_API_KEY", "REDIS_URL", "SECRET_KEY", "SENTRY_DSN"]);
    assert.equal(appEnvironment(dev).DATADOG_API_KEY, undefined);
    assert.doesNotMatch(JSON.stringify(serviceTask(dev).inputs), /dd-key|sentry\.example/);
  });

  it("runs on Graviton (ARM64) when service.cpuArchitecture says so", async () => {
    const arm = await runStackText("dev", devYaml.replace("    cpu: 256\n", "    cpu: 256\n    cpuArchitecture: ARM64\n"));
    assert.deepEqual(serviceTask(arm).inputs.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
    const x86 = await runStackText("dev", devYaml);
    assert.deepEqual(serviceTask(x86).inputs.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" });
  });
});

describe("a stack that exists only as YAML (qa)", () => {
  // staging's twin under another name: no code knows it.
  const qaYaml = fs
    .readFileSync(path.join(repoRoot, "Pulumi.staging.yaml"), "utf8")
    .replace("desiredCount: 2", "desiredCount: 1")
    .replace("Stack: staging", "Stack: qa");

  it("evaluates with no code change, with its own values", async () => {
    const qa = await runStackText("qa", qaYaml);
    assert.equal(onlyResource(qa, SERVICE).inputs.desiredCount, 1);
    assert.equal(serviceTask(qa).inputs.family, "trading-bot-qa");
    assert.equal(named(qa, "aws:s3/bucket:Bucket", "trading-bot-config-bucket").inputs.bucketPrefix, "trading-config-qa-");
    assert.equal(onlyResource(qa, "aws:secretsmanager/secret:Secret").inputs.namePrefix, "trading-bot/qa/");
    assert.match(String(onlyResource(qa, "aws:rds/instance:Instance").inputs.finalSnapshotIdentifier), /^trading-bot-qa-db-final-[0-9a-f]{8}$/);
  });

  it("can use the VPC of another stack instead of building one", async () => {
    const shared = qaYaml.replace(
      /trading-bot:network:\n(    .*\n)+/,
      "trading-bot:network:\n    fromStack: acme/network/shared\n    availabilityZoneCount: 2\n",
    );
    const { runUnderMocks } = await import("../tools/engine/mockRun");
    const { parseProgramConfig, withPlaceholderSecrets } = await import("../tools/engine/stackFile");
    const { tradingBotProgram } = await import("../stacks/program");
    const qa = await runUnderMocks(withPlaceholderSecrets(parseProgramConfig("qa", shared)), tradingBotProgram, {
      stackReferences: {
        "acme/network/shared": {
          outputs: { vpcId: "vpc-shared", privateSubnetIds: ["subnet-a", "subnet-b"], publicSubnetIds: ["subnet-c", "subnet-d"] },
        },
      },
    });
    assert.equal(resourcesOf(qa, "awsx:ec2:Vpc").length, 0);
    const reference = onlyResource(qa, "pulumi:pulumi:StackReference");
    assert.equal(reference.inputs.name, "acme/network/shared");
    assert.equal(reference.parentUrn, "urn:pulumi:qa::trading-bot::pulumi:pulumi:Stack::trading-bot-qa", "the composition reads it, not the Network component");
    assert.equal(qa.outputs.vpcId, "vpc-shared");
    assert.deepEqual((onlyResource(qa, SERVICE).inputs.networkConfiguration as Record<string, unknown>).subnets, ["subnet-a", "subnet-b"]);
  });
});

describe("the data syncs in AWS (trading-bot:dataSync)", () => {
  let prod: MockRunResult;
  let dev: MockRunResult;
  before(async () => {
    [prod, dev] = [await runCommittedStack("prod"), await runCommittedStack("dev")];
  });
  // Each stack runs in the account its file names (aws:allowedAccountIds): prod in its own, dev and staging in the other.
  const account = "111111111111";
  const nonprod = "222222222222";
  const policyOf = (run: MockRunResult, name: string) => JSON.parse(String(resourcesOf(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === name)!.inputs.policy));
  const dataSyncContainer = (run: MockRunResult) => {
    const task = resourcesOf(run, TASK).find((t) => t.name === "trading-bot-data-sync-task")!;
    return JSON.parse(String(task.inputs.containerDefinitions))[0] as { name: string; secrets: { name: string; valueFrom: string }[]; mountPoints: unknown[]; environment: { name: string; value: string }[] };
  };

  it("prod exports into its own bucket: private, TLS only, unversioned, emptied after a day, readable by the readers' import roles only", () => {
    const bucket = resourcesOf(prod, "aws:s3/bucket:Bucket").find((b) => b.name === "trading-bot-data-sync-exports")!;
    assert.equal(bucket.inputs.bucket, `trading-bot-data-${account}-prod`);
    assert.equal(bucket.inputs.forceDestroy, false);
    assert.deepEqual(resourcesOf(prod, "aws:s3/bucketVersioning:BucketVersioning").map((v) => v.name), ["trading-bot-config-versioning"], "no versioning on the exports bucket");
    assert.deepEqual(onlyResource(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules, [
      { id: "expire-exports", status: "Enabled", filter: { prefix: "exports/" }, expiration: { days: 1 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
    ]);
    const policy = JSON.parse(String(resourcesOf(prod, "aws:s3/bucketPolicy:BucketPolicy").find((p) => p.name === "trading-bot-data-sync-exports-policy")!.inputs.policy));
    const readers = [`arn:aws:iam::${nonprod}:role/trading-bot-dev-data-import`, `arn:aws:iam::${nonprod}:role/trading-bot-staging-data-import`];
    const exportRole = resourcesOf(prod, "aws:iam/role:Role").find((r) => r.name === "trading-bot-data-sync-task")!;
    assert.deepEqual(policy.Statement, [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucket.state.arn, `${bucket.state.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "ReadersListExports",
        Effect: "Allow",
        // Cross-account: the readers' account, narrowed to the import roles; the bucket policy decides.
        Principal: { AWS: [`arn:aws:iam::${nonprod}:root`] },
        Action: "s3:ListBucket",
        Resource: bucket.state.arn,
        Condition: { ArnEquals: { "aws:PrincipalArn": readers }, StringLike: { "s3:prefix": "exports/*" } },
      },
      {
        Sid: "ReadersGetExports",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam::${nonprod}:root`] },
        Action: "s3:GetObject",
        Resource: `${bucket.state.arn}/exports/*`,
        Condition: { ArnEquals: { "aws:PrincipalArn": readers } },
      },
      {
        // Every other principal, prod's own admins and deploy role included, is denied the exports.
        Sid: "DenyExportsToEveryOtherPrincipal",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: `${bucket.state.arn}/exports/*`,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": [exportRole.state.arn, ...readers] } },
      },
    ]);
    const block = resourcesOf(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").find((b) => b.name === "trading-bot-data-sync-exports-public-access-block")!;
    assert.deepEqual(block.inputs, { bucket: `${bucket.name}-id`, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    assert.equal(prod.outputs.dataSyncExportsBucket, `trading-bot-data-${account}-prod`);
  });

  it("prod's export task may list and put objects under exports/ of that bucket and nothing else in S3, and reads DATABASE_URL and the key", () => {
    const bucket = resourcesOf(prod, "aws:s3/bucket:Bucket").find((b) => b.name === "trading-bot-data-sync-exports")!;
    assert.deepEqual(policyOf(prod, "trading-bot-data-sync-task-inline").Statement, [
      {
        Sid: "ListExports",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [bucket.state.arn],
        Condition: { StringLike: { "s3:prefix": "exports/*" }, StringEquals: { "aws:ResourceAccount": account } },
      },
      {
        Sid: "WriteExports",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
        Resource: [`${bucket.state.arn}/exports/*`],
        Condition: { StringEquals: { "aws:ResourceAccount": account } },
      },
    ]);
    const environment = Object.fromEntries(dataSyncContainer(prod).environment.map((e) => [e.name, e.value]));
    assert.equal(environment.DATA_SYNC_BUCKET_OWNERS, JSON.stringify({ [`trading-bot-data-${account}-prod`]: account }));
    const role = resourcesOf(prod, "aws:iam/role:Role").find((r) => r.name === "trading-bot-data-sync-task")!;
    assert.deepEqual(role.inputs.tags, { "trading-bot:data-sync": "export" });
    const secret = onlyResource(prod, "aws:secretsmanager/secret:Secret");
    const versionId = onlyResource(prod, "aws:secretsmanager/secretVersion:SecretVersion").state.versionId;
    assert.deepEqual(dataSyncContainer(prod).secrets, [
      { name: "DATABASE_URL", valueFrom: `${secret.state.arn}:DATABASE_URL::${versionId}` },
      { name: "DATA_SYNC_KEY", valueFrom: `${secret.state.arn}:DATA_SYNC_KEY::${versionId}` },
    ]);
    assert.ok(!(appContainer(prod).secrets ?? []).some((s) => s.name === "DATA_SYNC_KEY"), "the bot never gets the anonymisation key");
    assert.deepEqual(policyOf(prod, "trading-bot-data-sync-execution-inline").Statement, [
      { Sid: "ReadAppSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secret.state.arn] },
    ]);
  });

  it("lets the data-sync task's own security group reach the database", () => {
    const groups = Object.fromEntries(resourcesOf(prod, "aws:ec2/securityGroup:SecurityGroup").map((g) => [g.name, `${g.name}-id`]));
    const rule = resourcesOf(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").find((r) => r.name === "trading-bot-db-from-data-sync")!;
    assert.deepEqual([rule.inputs.securityGroupId, rule.inputs.referencedSecurityGroupId, rule.inputs.fromPort, rule.inputs.toPort], [groups["trading-bot-db-sg"], groups["trading-bot-data-sync-sg"], 5432, 5432]);
    const devRule = resourcesOf(dev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").find((r) => r.name === "trading-bot-db-from-data-sync")!;
    assert.equal(devRule.inputs.fromPort, 2049, "NFS to the SQLite volume in dev");
    assert.equal(prod.outputs.dataSyncSecurityGroupId, groups["trading-bot-data-sync-sg"]);
    assert.deepEqual(prod.outputs.dataSyncSubnetIds, ["subnet-private-1", "subnet-private-2"]);
    assert.equal(prod.outputs.dataSyncAssignPublicIp, false);
  });

  it("dev imports with a role named by the rule, that may list and get exports of prod and staging only, and has no bucket and no key", () => {
    const role = resourcesOf(dev, "aws:iam/role:Role").find((r) => r.name === "trading-bot-data-sync-task")!;
    assert.equal(role.inputs.name, "trading-bot-dev-data-import");
    assert.deepEqual(role.inputs.tags, { "trading-bot:data-sync": "import" });
    assert.deepEqual(policyOf(dev, "trading-bot-data-sync-task-inline").Statement, [
      {
        Sid: "MountSqliteVolume",
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: [onlyResource(dev, "aws:efs/fileSystem:FileSystem").state.arn],
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": onlyResource(dev, "aws:efs/accessPoint:AccessPoint").state.arn } },
      },
      // One pair per source, each held to the account that must own its bucket (a squatted name in another account is refused).
      ...[[account, "prod"], [nonprod, "staging"]].flatMap(([owner, source], index) => [
        {
          Sid: `ListSourceExports${index}`,
          Effect: "Allow",
          Action: ["s3:ListBucket"],
          Resource: [`arn:aws:s3:::trading-bot-data-${owner}-${source}`],
          Condition: { StringLike: { "s3:prefix": "exports/*" }, StringEquals: { "aws:ResourceAccount": owner } },
        },
        {
          Sid: `ReadSourceExports${index}`,
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: [`arn:aws:s3:::trading-bot-data-${owner}-${source}/exports/*`],
          Condition: { StringEquals: { "aws:ResourceAccount": owner } },
        },
      ]),
    ]);
    assert.equal(resourcesOf(dev, "aws:s3/bucket:Bucket").length, 1, "only the config bucket");
    assert.equal(dev.outputs.dataSyncExportsBucket, null);
    assert.deepEqual(dataSyncContainer(dev).secrets.map((s) => s.name), ["DATABASE_URL"]);
    assert.deepEqual(dataSyncContainer(dev).mountPoints, [{ sourceVolume: "sqlite-data", containerPath: "/data", readOnly: false }]);
    assert.equal(JSON.parse(String(onlyResource(dev, "aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString)).DATA_SYNC_KEY, undefined);
  });

  it("gives the workflow the task definition, its network and the cluster to run it with", () => {
    const task = resourcesOf(dev, TASK).find((t) => t.name === "trading-bot-data-sync-task")!;
    assert.equal(dev.outputs.dataSyncTaskDefinitionArn, task.state.arn);
    assert.equal(task.inputs.family, "trading-bot-dev-data-sync");
    assert.deepEqual(dev.outputs.dataSyncSubnetIds, ["subnet-public-1", "subnet-public-2"]);
    assert.equal(dev.outputs.dataSyncAssignPublicIp, true, "dev has no NAT gateway: the task needs a public IP to reach ECR and S3");
    assert.deepEqual(Object.fromEntries(dataSyncContainer(dev).environment.map((e) => [e.name, e.value])), {
      AWS_REGION: "us-east-1",
      // The db tool passes each as ExpectedBucketOwner: prod's bucket in prod's account, staging's in dev's.
      DATA_SYNC_BUCKET_OWNERS: JSON.stringify({ "trading-bot-data-111111111111-prod": account, "trading-bot-data-222222222222-staging": nonprod }),
      DATA_SYNC_ENVIRONMENT: "development",
      DATA_SYNC_STACK: "dev",
    });
    assert.ok(dataSyncContainer(dev).environment.some((e) => e.name === bucketOwnersVariable), "the task sets the variable the db tool reads (both name it from packages/stack-files)");
  });

  it("gives every role it creates its account's permissions boundary (the bootstrap's deploy roles create roles only with it), or none when the file says null", async () => {
    for (const [run, owner] of [[prod, account], [dev, nonprod]] as const) {
      const roles = resourcesOf(run, "aws:iam/role:Role");
      assert.equal(roles.length, 4);
      for (const role of roles) assert.equal(role.inputs.permissionsBoundary, `arn:aws:iam::${owner}:policy/trading-bot-permissions-boundary`, role.name);
    }
    const devYaml = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
    const without = await runStackText("dev", devYaml.replace("  trading-bot:environment: development\n", "  trading-bot:environment: development\n  trading-bot:accounts:\n    permissionsBoundary: null\n"));
    assert.deepEqual(resourcesOf(without, "aws:iam/role:Role").map((role) => role.inputs.permissionsBoundary), [undefined, undefined, undefined, undefined]);
  });

  it("keeps a single-account set-up working: bare names are this stack's account, and the Deny still keeps other principals out", async () => {
    const single = (stack: string) =>
      fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8")
        .replace(/aws:allowedAccountIds: \[ "\d{12}" \]/, 'aws:allowedAccountIds: [ "333333333333" ]')
        .replace(/ {6}- \{ stack: (\w+), account: "\d{12}" \}\n/g, "      - $1\n");
    const [prodAlone, devAlone] = [await runStackText("prod", single("prod")), await runStackText("dev", single("dev"))];
    const policy = JSON.parse(String(resourcesOf(prodAlone, "aws:s3/bucketPolicy:BucketPolicy").find((p) => p.name === "trading-bot-data-sync-exports-policy")!.inputs.policy));
    const readers = ["dev", "staging"].map((stack) => `arn:aws:iam::333333333333:role/trading-bot-${stack}-data-import`);
    assert.deepEqual(policy.Statement[1].Principal, { AWS: ["arn:aws:iam::333333333333:root"] });
    assert.deepEqual(policy.Statement[3].Condition.ArnNotEquals["aws:PrincipalArn"].slice(1), readers);
    assert.deepEqual(
      policyOf(devAlone, "trading-bot-data-sync-task-inline").Statement.filter((s: { Sid: string }) => s.Sid.startsWith("Read")).map((s: { Resource: string[]; Condition: unknown }) => [s.Resource[0], s.Condition]),
      ["prod", "staging"].map((source) => [`arn:aws:s3:::trading-bot-data-333333333333-${source}/exports/*`, { StringEquals: { "aws:ResourceAccount": "333333333333" } }]),
    );
  });

  it("leaves a stack without dataSync with none of it, and null outputs", async () => {
    const devYaml = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
    const without = await runStackText("dev", devYaml.replace(/  trading-bot:dataSync:\n(    .*\n)+/, ""));
    assert.equal(resourcesOf(without, "trading-bot:infra:DataSync").length, 0);
    assert.equal(without.outputs.dataSyncTaskDefinitionArn, null);
    assert.equal(resourcesOf(without, TASK).length, 1);
  });
});
