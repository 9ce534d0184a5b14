// The policy pack, run as the Pulumi CLI runs it (run-policy-pack + the Analyzer protocol),
// from its JavaScript (the plan's copy; `npm run typecheck` checks the TypeScript with the
// pack's tsconfig.json, as the CLI's start would, and bootstrap.test.ts starts a TypeScript
// pack the CLI's way), against the real prod and dev stacks, against each of them broken in
// one place, and at each production rule's boundary. The rules' checks are also tested in-process, one file
// per AWS service, in test/policies/.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { rules } from "../policies/catalog";
import { MockRunResult, RecordedResource, componentResourceOf } from "../tools/engine/resource";
import { Level, PolicyPackProcess, analyzeResources, unknownValue } from "../tools/engine/policyPack";
import { repoRoot, runCommittedStack, runStackText } from "./helpers";
import { javaScriptCheckout } from "./planSupport";

/**
 * The policy pack's process, started with no stack traces taken: the Pulumi runtime it loads
 * takes one per promise too, about a third of the pack's CPU here. Its answers are the same.
 */
function startPackWithoutStackTraces(): Promise<PolicyPackProcess> {
  const nodeOptions = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${nodeOptions ?? ""} --stack-trace-limit=0`.trim();
  try {
    return PolicyPackProcess.start(javaScriptCheckout().packDirectory);
  } finally {
    // The process is spawned by now: the variable goes back to what the rest of this process sees.
    if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = nodeOptions;
  }
}

const packName = "trading-bot-policies";
const packVersion = "0.1.0";

/** A recorded resource as the engine describes it, with the dependencies it may carry. */
type Resource = RecordedResource;
type Mutation = (resources: Resource[]) => Resource;

/** A deep copy, so a change touches one test only (JSON: what the engine sends is JSON too). */
function copyOf(resources: Resource[]): Resource[] {
  return JSON.parse(JSON.stringify(resources));
}

function find(resources: Resource[], type: string, name?: string): Resource {
  const found = resources.find((r) => r.type === type && (name === undefined || r.name === name));
  if (!found) throw new Error(`no ${type} ${name ?? ""}`);
  return found;
}

const SERVICE = "aws:ecs/service:Service";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const RDS = "aws:rds/instance:Instance";
const CACHE = "aws:elasticache/replicationGroup:ReplicationGroup";
const SECRET = "aws:secretsmanager/secret:Secret";
const TOPIC = "aws:sns/topic:Topic";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const VPC = "awsx:ec2:Vpc";
const ROLE = "aws:iam/role:Role";

/**
 * Sets `key` of the resource's inputs and state (Analyze reads inputs, AnalyzeStack outputs).
 * A value written in the program comes from no other resource: its recorded dependencies go.
 */
function set(type: string, key: string, value: unknown, name?: string): Mutation {
  return (resources) => {
    const resource = find(resources, type, name);
    if (resource.propertyDependencies) delete resource.propertyDependencies[key];
    if (value === undefined) {
      delete resource.inputs[key];
      delete resource.state[key];
    } else {
      resource.inputs[key] = value;
      resource.state[key] = value;
    }
    return resource;
  };
}

/** Applies several mutations; the last one's resource is the one the violation names. */
function all(...mutations: Mutation[]): Mutation {
  return (resources) => mutations.map((mutate) => mutate(resources)).pop()!;
}

/** Edits the app container inside the task definition's containerDefinitions JSON. */
function editContainers(edit: (containers: Record<string, any>[]) => void): Mutation {
  return (resources) => {
    const task = find(resources, TASK);
    const containers = JSON.parse(String(task.inputs.containerDefinitions));
    edit(containers);
    task.inputs.containerDefinitions = JSON.stringify(containers);
    task.state.containerDefinitions = task.inputs.containerDefinitions;
    return task;
  };
}

function setAppEnvironment(name: string, value: string): Mutation {
  return editContainers(([app]) => {
    app.environment = [...app.environment.filter((e: { name: string }) => e.name !== name), { name, value }];
  });
}

// What the lead is adding to the committed stacks: infra/alerts.ts tags every SNS topic and
// alarm with trading-bot:severity, and Pulumi.prod.yaml subscribes a placeholder address to
// the critical topic. Until that lands, the tests add them, only where they are missing.
const severityTag = "trading-bot:severity";
const placeholderEmail = "trading-alerts@example.com";
const realEmail = "oncall@trading-desk.io";

async function runProdWithAlertsContract(): Promise<MockRunResult> {
  const document = YAML.parseDocument(fs.readFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), "utf8"));
  const emails = ["config", "trading-bot:alerts", "emails", "critical"];
  if (((document.getIn(emails) as YAML.YAMLSeq | undefined)?.items.length ?? 0) === 0) document.setIn(emails, [placeholderEmail]);
  const run = await runStackText("prod", document.toString());
  for (const resource of run.resources) {
    // Test-only ways to tell a resource's severity: the Alerts component's display name and description.
    const severity =
      resource.type === TOPIC ? /^Trading bot (\w+) alerts$/.exec(String(resource.inputs.displayName))?.[1]
      : resource.type === ALARM ? /^\[(\w+)\]/.exec(String(resource.inputs.alarmDescription))?.[1]
      : undefined;
    if (!severity) continue;
    for (const props of [resource.inputs, resource.state]) {
      const tags = (props.tags ??= {}) as Record<string, string>;
      tags[severityTag] ??= severity;
    }
  }
  return run;
}

/** The critical topic's single subscription, pointed at a real address. */
function withRealCriticalAddress(run: MockRunResult): Resource[] {
  const resources = copyOf(run.resources);
  const subscriptions = resources.filter((r) => r.type === SUBSCRIPTION);
  assert.equal(subscriptions.length, 1, "the committed prod stack subscribes one address to the critical topic");
  subscriptions[0].inputs.endpoint = subscriptions[0].state.endpoint = realEmail;
  return resources;
}

const topicArn = (resources: Resource[], severity: string) => String(find(resources, TOPIC, `trading-bot-alerts-${severity}`).state.arn);

/** These alarms notify the warning topic instead of their own, and say so in their tags. */
function notifyWarning(alarms: Resource[], resources: Resource[]): void {
  const warning = find(resources, TOPIC, "trading-bot-alerts-warning");
  for (const alarm of alarms) {
    for (const props of [alarm.inputs, alarm.state]) {
      props.alarmActions = props.okActions = [topicArn(resources, "warning")];
      props.tags = { [severityTag]: "warning" };
    }
    alarm.propertyDependencies = { ...alarm.propertyDependencies, alarmActions: [warning.urn], okActions: [warning.urn] };
  }
}

const noCriticalAlarm: Mutation = (resources) => {
  notifyWarning(resources.filter((r) => r.type === ALARM), resources);
  return find(resources, TOPIC, "trading-bot-alerts-critical");
};

/** Only the trading-loss alarm stays critical: the boundary of "at least one critical alarm". */
const oneCriticalAlarm: Mutation = (resources) => {
  notifyWarning(resources.filter((r) => r.type === ALARM && r.name !== "trading-bot-alerts-TradingLoss"), resources);
  return find(resources, ALARM, "trading-bot-alerts-TradingLoss");
};

const removeSubscriptions: Mutation = (resources) => {
  const topic = find(resources, TOPIC, "trading-bot-alerts-critical");
  resources.splice(0, resources.length, ...resources.filter((r) => r.type !== SUBSCRIPTION));
  return topic;
};

/** A second subscription to the critical topic, at `endpoint`. */
function addCriticalSubscription(endpoint: string): Mutation {
  return (resources) => {
    const first = find(resources, SUBSCRIPTION);
    const second: Resource = JSON.parse(JSON.stringify(first));
    second.name = `${first.name}-second`;
    second.urn = `${first.urn}-second`;
    second.inputs.endpoint = second.state.endpoint = endpoint;
    resources.push(second);
    return find(resources, TOPIC, "trading-bot-alerts-critical");
  };
}

/** The DataSync component issue 9 adds; synthetic until it exists. */
function addDataSync(inputs: Record<string, unknown>): Mutation {
  return (resources) => {
    const dataSync: Resource = {
      urn: "urn:pulumi:prod::trading-bot::trading-bot:infra:DataSync::trading-bot-data-sync",
      type: "trading-bot:infra:DataSync",
      name: "trading-bot-data-sync",
      parentUrn: null,
      custom: false,
      protect: false,
      inputs,
      secretInputs: [],
      state: {},
    };
    resources.push(dataSync);
    return dataSync;
  };
}

function tagRole(purpose: string): Mutation {
  return (resources) => {
    const role = find(resources, ROLE, "trading-bot-task");
    for (const props of [role.inputs, role.state]) props.tags = { ...(props.tags as object), "trading-bot:data-sync": purpose };
    return role;
  };
}

interface ProductionCase {
  policy: string;
  /** The value at the rule's boundary that still passes, set explicitly. */
  boundary: [what: string, mutate: Mutation];
  /** The value just past it, and the exact message. */
  broken: [what: string, mutate: Mutation, message: string];
}

const productionCases: ProductionCase[] = [
  { policy: "ecs-service-minimum-healthy-percent",
    boundary: ["50 %", set(SERVICE, "deploymentMinimumHealthyPercent", 50)],
    broken: ["49 %", set(SERVICE, "deploymentMinimumHealthyPercent", 49),
      "deploymentMinimumHealthyPercent is 49; production keeps at least 50 % of its tasks running through a deployment"] },
  { policy: "ecs-service-maximum-percent",
    boundary: ["100 %", set(SERVICE, "deploymentMaximumPercent", 100)],
    broken: ["99 %", set(SERVICE, "deploymentMaximumPercent", 99), "deploymentMaximumPercent is 99; it must be at least 100"] },
  { policy: "ecs-service-circuit-breaker",
    boundary: ['enable and rollback "true"', set(SERVICE, "deploymentCircuitBreaker", { enable: "true", rollback: "true" })],
    broken: ["no rollback", set(SERVICE, "deploymentCircuitBreaker", { enable: true, rollback: false }),
      "deploymentCircuitBreaker must be enabled with rollback, so a failed deployment rolls back by itself"] },
  { policy: "ecs-service-desired-count",
    boundary: ["2 tasks", set(SERVICE, "desiredCount", 2)],
    broken: ["1 task", set(SERVICE, "desiredCount", 1), "desiredCount is 1; production runs at least 2 tasks"] },
  { policy: "ecs-service-no-fargate-spot",
    boundary: ["FARGATE with a base", set(SERVICE, "capacityProviderStrategies", [{ capacityProvider: "FARGATE", weight: 1, base: 2 }])],
    broken: ["a FARGATE_SPOT share", set(SERVICE, "capacityProviderStrategies", [{ capacityProvider: "FARGATE", weight: 1, base: 2 }, { capacityProvider: "FARGATE_SPOT", weight: 3, base: 0 }]),
      "capacityProviderStrategies includes FARGATE_SPOT; Spot tasks can be reclaimed at two minutes' notice"] },
  { policy: "ecs-service-no-public-ip",
    boundary: ["assignPublicIp unset", set(SERVICE, "networkConfiguration", { subnets: ["subnet-private-1", "subnet-private-2"], securityGroups: ["trading-bot-sg-id"] })],
    broken: ["assignPublicIp true", set(SERVICE, "networkConfiguration", { subnets: ["subnet-private-1"], securityGroups: ["trading-bot-sg-id"], assignPublicIp: true }),
      "networkConfiguration.assignPublicIp is true; production tasks run in private subnets without public IPs"] },
  { policy: "ecs-service-default-strategy-not-spot",
    boundary: ["no strategy of its own on a FARGATE-default cluster", all(
      set("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "defaultCapacityProviderStrategies", [{ capacityProvider: "FARGATE", weight: 1, base: 0 }]),
      set(SERVICE, "capacityProviderStrategies", undefined),
    )],
    broken: ["no strategy of its own on a Spot-default cluster", all(
      set("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "defaultCapacityProviderStrategies", [{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }]),
      set(SERVICE, "capacityProviderStrategies", undefined),
    ), "the service sets neither launchType nor capacityProviderStrategies, and its cluster's default strategy includes FARGATE_SPOT"] },
  { policy: "ecs-service-runs-bot",
    boundary: ["the bot beside a second container", editContainers((containers) => containers.push({ ...containers[0], name: "log-router", environment: [], secrets: [], healthCheck: undefined }))],
    broken: ["the bot's container renamed", (resources) => {
      editContainers(([app]) => (app.name = "app"))(resources);
      return find(resources, SERVICE);
    },
      "the service runs trading-bot-task, which has no container named trading-bot (botContainerName): the bot's rules judged none of its containers"] },
  { policy: "ecs-task-container-logging",
    boundary: ["another log driver", editContainers(([app]) => (app.logConfiguration = { logDriver: "awsfirelens" }))],
    broken: ["no log configuration", editContainers(([app]) => delete app.logConfiguration),
      "container trading-bot has no logConfiguration.logDriver; its output would be lost"] },
  { policy: "ecs-task-no-secrets-in-environment",
    boundary: ["DATABASE_POOL_SIZE beside ACCESS_TOKEN_EXPIRE_MINUTES", setAppEnvironment("DATABASE_POOL_SIZE", "20")],
    broken: ["database_url", setAppEnvironment("database_url", "postgresql://u:p@h/db"),
      "container trading-bot sets database_url in plain environment; pass it through secrets (valueFrom a Secrets Manager ARN)"] },
  { policy: "ecs-task-health-check",
    boundary: ["a one-word command", editContainers(([app]) => (app.healthCheck = { command: ["CMD", "true"] }))],
    broken: ["no health check", editContainers(([app]) => delete app.healthCheck), "container trading-bot has no healthCheck; ECS could not replace a hung bot"] },
  { policy: "ecs-task-no-debug-logging",
    boundary: ["LOG_LEVEL=INFO", setAppEnvironment("LOG_LEVEL", "INFO")],
    broken: ["LOG_LEVEL=debug", setAppEnvironment("LOG_LEVEL", "debug"), "container trading-bot sets LOG_LEVEL=debug; production logs at INFO or above"] },
  { policy: "ecs-task-no-debug-features",
    boundary: ["ENABLE_PROFILING=off", setAppEnvironment("ENABLE_PROFILING", "off")],
    broken: ["ENABLE_PROFILING=on", setAppEnvironment("ENABLE_PROFILING", "on"), "container trading-bot sets ENABLE_PROFILING=on; it must be off in production"] },
  { policy: "ecs-task-environment-production",
    boundary: ["ENVIRONMENT=Production", setAppEnvironment("ENVIRONMENT", "Production")],
    broken: ["ENVIRONMENT=staging", setAppEnvironment("ENVIRONMENT", "staging"),
      "container trading-bot has ENVIRONMENT=staging; on a production stack the bot runs with ENVIRONMENT=production, or it loads its development settings"] },
  { policy: "ecs-task-immutable-image",
    boundary: ["a two-part version tag", editContainers(([app]) => (app.image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:v1.4"))],
    broken: ["LATEST", editContainers(([app]) => (app.image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:LATEST")),
      "container trading-bot runs 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:LATEST: its tag LATEST moves to whatever is pushed next; pin a version tag or a digest"] },
  { policy: "ecs-task-bybit-live",
    boundary: ["BYBIT_TESTNET=FALSE", setAppEnvironment("BYBIT_TESTNET", "FALSE")],
    broken: ["BYBIT_TESTNET=1", setAppEnvironment("BYBIT_TESTNET", "1"),
      "container trading-bot has BYBIT_TESTNET=1; this production stack trades on Bybit testnet, not on the live market"] },
  { policy: "ecs-cluster-container-insights",
    boundary: ["enhanced", set("aws:ecs/cluster:Cluster", "settings", [{ name: "containerInsights", value: "enhanced" }])],
    broken: ["disabled", set("aws:ecs/cluster:Cluster", "settings", [{ name: "containerInsights", value: "disabled" }]),
      "containerInsights is disabled; production clusters have it enabled"] },
  { policy: "rds-multi-az", boundary: ['"true"', set(RDS, "multiAz", "true")],
    broken: ["false", set(RDS, "multiAz", false), "multiAz is false; production needs a standby in a second AZ"] },
  { policy: "rds-storage-encrypted", boundary: ['"true"', set(RDS, "storageEncrypted", "true")],
    broken: ["unset", set(RDS, "storageEncrypted", undefined), "storageEncrypted is unset; production data is encrypted at rest"] },
  { policy: "rds-not-public", boundary: ["unset", set(RDS, "publiclyAccessible", undefined)],
    broken: ["true", set(RDS, "publiclyAccessible", true), "publiclyAccessible is true; the database is reachable from inside the VPC only"] },
  { policy: "rds-deletion-protection", boundary: ['"true"', set(RDS, "deletionProtection", "true")],
    broken: ["false", set(RDS, "deletionProtection", false), "deletionProtection is false; production refuses DeleteDBInstance until it is turned off"] },
  { policy: "rds-final-snapshot", boundary: ["unset", set(RDS, "skipFinalSnapshot", undefined)],
    broken: ["true", set(RDS, "skipFinalSnapshot", true), "skipFinalSnapshot is true; deleting the production database must leave a final snapshot"] },
  { policy: "rds-backup-retention", boundary: ["7 days", set(RDS, "backupRetentionPeriod", 7)],
    broken: ["6 days", set(RDS, "backupRetentionPeriod", 6), "backupRetentionPeriod is 6; production keeps at least 7 days of backups"] },
  { policy: "rds-performance-insights", boundary: ['"true"', set(RDS, "performanceInsightsEnabled", "true")],
    broken: ["false", set(RDS, "performanceInsightsEnabled", false), "performanceInsightsEnabled is false; production keeps Performance Insights to diagnose slow queries"] },
  { policy: "rds-protected",
    boundary: ["protect true", (resources) => Object.assign(find(resources, RDS), { protect: true })],
    broken: ["protect false", (resources) => Object.assign(find(resources, RDS), { protect: false }),
      "the instance is not protected; set protect on it so no pulumi up or destroy can delete it"] },
  { policy: "rds-windows", boundary: ["windows that touch", set(RDS, "maintenanceWindow", "sun:04:30-sun:05:00")],
    broken: ["overlapping windows", set(RDS, "maintenanceWindow", "sun:04:29-sun:05:00"),
      "backupWindow is 04:00-04:30 and maintenanceWindow is sun:04:29-sun:05:00; allowed: a maintenance window apart from the daily backup window 04:00-04:30 (RDS refuses them overlapping)"] },
  { policy: "rds-log-exports", boundary: ["postgresql and upgrade", set(RDS, "enabledCloudwatchLogsExports", ["upgrade", "postgresql"])],
    broken: ["upgrade only", set(RDS, "enabledCloudwatchLogsExports", ["upgrade"]),
      'enabledCloudwatchLogsExports is ["upgrade"]; production exports the postgresql log, kept for a set retention'] },
  { policy: "rds-parameter-group", boundary: ["a group of another stack", set(RDS, "parameterGroupName", "shared-postgres17")],
    broken: ["the default group", set(RDS, "parameterGroupName", "default.postgres17"),
      "parameterGroupName is default.postgres17 (a default group); production gives the instance its own, so a later parameter needs no switch of group and its reboot"] },
  { policy: "elasticache-cluster-mode", boundary: ["enabled", set(CACHE, "clusterMode", "enabled")],
    broken: ["compatible", set(CACHE, "clusterMode", "compatible"), "clusterMode is compatible; production runs Redis in cluster mode"] },
  { policy: "elasticache-automatic-failover", boundary: ['"true"', set(CACHE, "automaticFailoverEnabled", "true")],
    broken: ["false", set(CACHE, "automaticFailoverEnabled", false), "automaticFailoverEnabled is false; a failed primary must fail over to its replica"] },
  { policy: "elasticache-multi-az", boundary: ['"true"', set(CACHE, "multiAzEnabled", "true")],
    broken: ["false", set(CACHE, "multiAzEnabled", false), "multiAzEnabled is false; production keeps replicas in another AZ"] },
  { policy: "elasticache-encryption",
    boundary: ['both "true"', all(set(CACHE, "transitEncryptionEnabled", "true"), set(CACHE, "atRestEncryptionEnabled", "true"))],
    broken: ['at rest "false"', set(CACHE, "atRestEncryptionEnabled", "false"),
      "transitEncryptionEnabled is true and atRestEncryptionEnabled is false; production encrypts both"] },
  { policy: "elasticache-auth",
    boundary: ["a user group instead of a token", (resources) => {
      const group = set(CACHE, "authToken", undefined)(resources);
      group.secretInputs = [];
      return set(CACHE, "userGroupIds", ["trading-bot-users"])(resources);
    }],
    broken: ["neither", (resources) => {
      const group = set(CACHE, "authToken", undefined)(resources);
      group.secretInputs = [];
      return group;
    }, "neither authToken nor userGroupIds is set; production clients must authenticate"] },
  { policy: "elasticache-snapshots", boundary: ["1 day", set(CACHE, "snapshotRetentionLimit", 1)],
    broken: ["0 days", set(CACHE, "snapshotRetentionLimit", 0), "snapshotRetentionLimit is 0; production keeps at least 1 day(s) of snapshots"] },
  { policy: "secrets-recovery-window",
    boundary: ["7 days", set(SECRET, "recoveryWindowInDays", 7)],
    broken: ["6 days", set(SECRET, "recoveryWindowInDays", 6),
      "recoveryWindowInDays is 6: a deleted secret is gone sooner than that; production keeps a deleted secret restorable for at least 7 days"] },
  { policy: "log-group-retention", boundary: ["1 day", set("aws:cloudwatch/logGroup:LogGroup", "retentionInDays", 1)],
    broken: ["0 (never expire)", set("aws:cloudwatch/logGroup:LogGroup", "retentionInDays", 0), "retentionInDays is 0; production log groups set a retention"] },
  { policy: "alarm-actions",
    boundary: ["actionsEnabled unset", set(ALARM, "actionsEnabled", undefined, "trading-bot-alerts-TradingLoss")],
    broken: ["actions disabled", set(ALARM, "actionsEnabled", false, "trading-bot-alerts-TradingLoss"),
      "actionsEnabled is false with 1 alarm action(s); a production alarm must notify someone"] },
  { policy: "alarm-breaching-m-of-n",
    boundary: ["breaching, 2 of 3 datapoints", set(ALARM, "datapointsToAlarm", 2, "trading-bot-alerts-ServiceDown")],
    broken: ["breaching, 1 of 3", set(ALARM, "datapointsToAlarm", 1, "trading-bot-alerts-ServiceDown"),
      "treatMissingData is breaching with datapointsToAlarm 1 of evaluationPeriods 3: one late or lost datapoint pages; alarm on at least 2 datapoints (M of N)"] },
  { policy: "alerts-service-down-alarm",
    boundary: ["Container Insights running tasks <= 0", all(
      set(ALARM, "namespace", "ECS/ContainerInsights", "trading-bot-alerts-ServiceDown"),
      set(ALARM, "metricName", "RunningTaskCount", "trading-bot-alerts-ServiceDown"),
      set(ALARM, "comparisonOperator", "LessThanOrEqualToThreshold", "trading-bot-alerts-ServiceDown"),
      set(ALARM, "threshold", 0, "trading-bot-alerts-ServiceDown"),
    )],
    broken: ["missing data not breaching on ServiceDown", set(ALARM, "treatMissingData", "notBreaching", "trading-bot-alerts-ServiceDown"),
      "no alarm fires when the ECS service stops: add one on an AWS/ECS or ECS/ContainerInsights metric with a ServiceName dimension, " +
      "a LessThanThreshold or LessThanOrEqualToThreshold comparison and treatMissingData breaching (a stopped service sends no data)"] },
  { policy: "alerts-heartbeat-alarm",
    boundary: ["Heartbeat at most 0", all(
      set(ALARM, "comparisonOperator", "LessThanOrEqualToThreshold", "trading-bot-alerts-Heartbeat"),
      set(ALARM, "threshold", 0, "trading-bot-alerts-Heartbeat"),
    )],
    broken: ["missing data not breaching on Heartbeat", set(ALARM, "treatMissingData", "notBreaching", "trading-bot-alerts-Heartbeat"),
      "no alarm fires when the bot stops sending its heartbeat: add one on TradingBot Heartbeat with a LessThanThreshold or " +
      "LessThanOrEqualToThreshold comparison and treatMissingData breaching (a hung or stopped bot sends nothing)"] },
  { policy: "alerts-critical-alarm",
    boundary: ["exactly one alarm notifies the critical topic", oneCriticalAlarm],
    broken: ["every alarm notifies the warning topic", noCriticalAlarm,
      "no alarm notifies the critical topic (alarmActions); production needs at least one critical alarm"] },
  { policy: "alerts-critical-subscription",
    boundary: ["exactly one subscription (the committed stack's)", (resources) => find(resources, SUBSCRIPTION)],
    broken: ["no subscription", removeSubscriptions,
      "the critical topic trading-bot-alerts-critical has no subscription, so nobody hears a critical alarm; subscribe someone (trading-bot:alerts.emails.critical)"] },
  { policy: "alerts-critical-subscription-not-placeholder",
    boundary: ["a placeholder beside a real address", addCriticalSubscription(placeholderEmail)],
    broken: ["only a placeholder", all(set(SUBSCRIPTION, "endpoint", "ops@alerts.example.org"), (resources) => find(resources, TOPIC, "trading-bot-alerts-critical")),
      "the critical topic trading-bot-alerts-critical only reaches ops@alerts.example.org, at a domain reserved for examples; replace it with a real address (trading-bot:alerts.emails.critical)"] },
  { policy: "s3-bucket-no-force-destroy", boundary: ["unset", set("aws:s3/bucket:Bucket", "forceDestroy", undefined)],
    broken: ["true", set("aws:s3/bucket:Bucket", "forceDestroy", true), "forceDestroy is true; pulumi destroy would delete every version of the production objects"] },
  { policy: "security-group-no-public-ingress",
    boundary: ["the VPC's own range", (resources) => {
      const rule = find(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "trading-bot-db-from-service");
      delete rule.inputs.referencedSecurityGroupId;
      rule.inputs.cidrIpv4 = "10.30.0.0/16";
      return rule;
    }],
    broken: ["::/0", (resources) => {
      const rule = find(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "trading-bot-db-from-service");
      delete rule.inputs.referencedSecurityGroupId;
      rule.inputs.cidrIpv6 = "::/0";
      return rule;
    }, "ingress from ::/0; production admits only known sources"] },
  { policy: "nat-gateway-per-az",
    boundary: ["no strategy (awsx's OnePerAz)", set(VPC, "natGateways", {})],
    broken: ["Single", set(VPC, "natGateways", { strategy: "Single" }),
      "natGateways.strategy is Single; tasks in private subnets reach Bybit through one NAT gateway, so losing its AZ cuts the bot off from the exchange"] },
  { policy: "service-discovery-reachable",
    boundary: ["no Cloud Map, no one admitted (the committed prod)", (resources) => find(resources, SERVICE)],
    broken: ["Cloud Map with no one admitted", set(SERVICE, "serviceRegistries", { registryArn: "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-0a1b2c3d4e5f6" }),
      "the service registers its tasks in Cloud Map (serviceRegistries) but its security groups admit no one, so the name leads nowhere: " +
      "name a consumer (trading-bot:service.serviceDiscovery.consumers) or leave Cloud Map out"] },
  { policy: "no-dev-stand-ins",
    boundary: ["a sidecar that exports Redis metrics", editContainers((containers) => {
      containers.push({ ...containers[0], name: "metrics", image: "public.ecr.aws/bitnami/redis-exporter:1.62.0", healthCheck: undefined });
    })],
    broken: ["a Redis sidecar", editContainers((containers) => {
      containers.push({ ...containers[0], name: "redis", image: "public.ecr.aws/docker/library/redis:7.4-alpine", environment: [], secrets: [], healthCheck: undefined });
    }), "container redis runs public.ecr.aws/docker/library/redis:7.4-alpine in the task: a dev stand-in; production uses RedisCluster"] },
  { policy: "data-sync-no-import",
    boundary: ["a DataSync that exports, with its export role", all(tagRole("export"), addDataSync({ export: true, import: false }))],
    broken: ["a DataSync that imports", addDataSync({ export: false, import: true }),
      "the DataSync component has import: true; a production stack never imports data (another stack's export would overwrite its rows)"] },
  { policy: "account-not-shared-with-non-production",
    boundary: ["an account of its own (sharedWithNonProduction false)", set("trading-bot:stack:Account", "sharedWithNonProduction", false)],
    broken: ["an account shared with a non-production stack (the file says sharedWithNonProduction: true)", set("trading-bot:stack:Account", "sharedWithNonProduction", true),
      "the stack file says trading-bot:accounts.sharedWithNonProduction: true: a non-production stack shares production's AWS account, " +
        "so whatever can deploy or run there (its roles, a pull request's preview) is one IAM policy away from production's secrets and data"] },
];

const nonProductionBreaks: { policy: string; level: Level; mutate: Mutation; message: string }[] = [
  { policy: "non-production-testnet-only", level: "mandatory", mutate: setAppEnvironment("BYBIT_TESTNET", "false"),
    message: "container trading-bot has BYBIT_TESTNET=false; outside production the bot must trade on testnet (BYBIT_TESTNET=true)" },
  { policy: "non-production-environment-not-production", level: "mandatory", mutate: setAppEnvironment("ENVIRONMENT", "production"),
    message: "container trading-bot has ENVIRONMENT=production: only development or staging make a stack non-production, so this stack is production " +
      "but the policy pack was not told, and no production rule guards it; make it production for every policy: npm run policy-config -- <this stack> > policy-config.json, then --policy-pack-config policy-config.json" },
  { policy: "non-production-nat-gateway-cost", level: "advisory", mutate: set(VPC, "natGateways", undefined),
    message: "natGateways.strategy is unset (awsx makes one per AZ); each NAT gateway costs about 33 USD a month: use None or Single outside production" },
];

/** The property each production rule reads first, to make it unknown. */
const unknownProbes: Record<string, [type: string, key: string, name?: string]> = {
  "ecs-service-minimum-healthy-percent": [SERVICE, "deploymentMinimumHealthyPercent"],
  "ecs-service-maximum-percent": [SERVICE, "deploymentMaximumPercent"],
  "ecs-service-circuit-breaker": [SERVICE, "deploymentCircuitBreaker"],
  "ecs-service-desired-count": [SERVICE, "desiredCount"],
  "ecs-service-no-fargate-spot": [SERVICE, "capacityProviderStrategies"],
  "ecs-service-no-public-ip": [SERVICE, "networkConfiguration"],
  "ecs-service-default-strategy-not-spot": [SERVICE, "capacityProviderStrategies"],
  "ecs-service-runs-bot": [TASK, "containerDefinitions"],
  "ecs-task-container-logging": [TASK, "containerDefinitions"],
  "ecs-task-no-secrets-in-environment": [TASK, "containerDefinitions"],
  "ecs-task-health-check": [TASK, "containerDefinitions"],
  "ecs-task-no-debug-logging": [TASK, "containerDefinitions"],
  "ecs-task-no-debug-features": [TASK, "containerDefinitions"],
  "ecs-task-environment-production": [TASK, "containerDefinitions"],
  "ecs-task-immutable-image": [TASK, "containerDefinitions"],
  "ecs-task-bybit-live": [TASK, "containerDefinitions"],
  "ecs-cluster-container-insights": ["aws:ecs/cluster:Cluster", "settings"],
  "rds-multi-az": [RDS, "multiAz"],
  "rds-storage-encrypted": [RDS, "storageEncrypted"],
  "rds-not-public": [RDS, "publiclyAccessible"],
  "rds-deletion-protection": [RDS, "deletionProtection"],
  "rds-final-snapshot": [RDS, "skipFinalSnapshot"],
  "rds-backup-retention": [RDS, "backupRetentionPeriod"],
  "rds-performance-insights": [RDS, "performanceInsightsEnabled"],
  "rds-windows": [RDS, "backupWindow"],
  "rds-log-exports": [RDS, "enabledCloudwatchLogsExports"],
  "rds-parameter-group": [RDS, "parameterGroupName"],
  "elasticache-cluster-mode": [CACHE, "clusterMode"],
  "elasticache-automatic-failover": [CACHE, "automaticFailoverEnabled"],
  "elasticache-multi-az": [CACHE, "multiAzEnabled"],
  "elasticache-encryption": [CACHE, "transitEncryptionEnabled"],
  "elasticache-auth": [CACHE, "authToken"],
  "elasticache-snapshots": [CACHE, "snapshotRetentionLimit"],
  "secrets-recovery-window": [SECRET, "recoveryWindowInDays"],
  "log-group-retention": ["aws:cloudwatch/logGroup:LogGroup", "retentionInDays"],
  "alarm-actions": [ALARM, "alarmActions", "trading-bot-alerts-ServiceDown"],
  "alarm-breaching-m-of-n": [ALARM, "treatMissingData", "trading-bot-alerts-ServiceDown"],
  "alerts-service-down-alarm": [ALARM, "treatMissingData", "trading-bot-alerts-ServiceDown"],
  "alerts-heartbeat-alarm": [ALARM, "treatMissingData", "trading-bot-alerts-Heartbeat"],
  "alerts-critical-alarm": [ALARM, "alarmActions", "trading-bot-alerts-ServiceDown"],
  "alerts-critical-subscription": [SUBSCRIPTION, "topic"],
  "alerts-critical-subscription-not-placeholder": [SUBSCRIPTION, "endpoint"],
  "s3-bucket-no-force-destroy": ["aws:s3/bucket:Bucket", "forceDestroy"],
  "security-group-no-public-ingress": ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "cidrIpv4", "trading-bot-db-from-service"],
  "nat-gateway-per-az": [VPC, "natGateways"],
  "service-discovery-reachable": [SERVICE, "serviceRegistries"],
  "no-dev-stand-ins": [TASK, "containerDefinitions"],
  "data-sync-no-import": [ROLE, "tags", "trading-bot-task"],
  "account-not-shared-with-non-production": ["trading-bot:stack:Account", "sharedWithNonProduction"],
};

describe("the policy pack, over the Analyzer protocol", function () {
  let pack: PolicyPackProcess;
  /** The committed prod stack with the alerts contract the lead is adding: a placeholder critical address. */
  let prod: MockRunResult;
  /** The same with a real critical address: no diagnostic at all, the base every case below changes. */
  let prodLive: Resource[];
  let dev: MockRunResult;
  const levelOf = (policy: string) => rules.find((r) => r.name === policy)!.enforcementLevel;

  before(async () => {
    [pack, prod, dev] = await Promise.all([startPackWithoutStackTraces(), runProdWithAlertsContract(), runCommittedStack("dev")]);
    prodLive = withRealCriticalAddress(prod);
  });
  after(() => pack?.stop());
  afterEach(() => pack.configure({}));

  it("lists every policy with its level, config schema and public rule ids", async () => {
    const info = await pack.info();
    assert.equal(info.name, packName);
    assert.equal(info.version, packVersion);
    assert.deepEqual(info.policies.map((p) => p.name), rules.map((r) => r.name));
    for (const [index, policy] of info.policies.entries()) {
      const rule = rules[index];
      assert.equal(policy.level, rule.enforcementLevel, rule.name);
      assert.equal(policy.description, rule.description, rule.name);
      assert.deepEqual(policy.tags, rule.anchors, rule.name);
      assert.deepEqual(Object.keys(policy.configSchema).sort(), ["productionStacks", ...Object.keys(rule.config ?? {})].sort(), rule.name);
      assert.deepEqual((policy.configSchema.productionStacks as { default: string[] }).default, ["prod", "production"]);
    }
  });

  it("passes the committed prod stack with no mandatory violation, only the placeholder address's advisory", async () => {
    const critical = find(prod.resources, TOPIC, "trading-bot-alerts-critical");
    assert.deepEqual(await analyzeResources(pack, prod.resources), [{
      policy: "alerts-critical-subscription-not-placeholder",
      level: "advisory",
      urn: critical.urn,
      message: "the critical topic trading-bot-alerts-critical only reaches trading-alerts@example.com, at a domain reserved for examples; replace it with a real address (trading-bot:alerts.emails.critical)",
    }]);
  });

  it("passes the prod stack with a real critical address with no diagnostic at all", async () => {
    assert.deepEqual(await analyzeResources(pack, prodLive), []);
  });

  it("passes the committed dev stack with no diagnostic at all", async () => {
    assert.deepEqual(await analyzeResources(pack, dev.resources), []);
  });

  it("has a case below for every production policy and a probe for every unknown", () => {
    const production = rules.filter((r) => r.scope === "production").map((r) => r.name);
    assert.deepEqual(productionCases.map((c) => c.policy), production);
    assert.deepEqual(nonProductionBreaks.map((b) => b.policy), rules.filter((r) => r.scope === "non-production").map((r) => r.name));
    assert.deepEqual(Object.keys(unknownProbes).sort(), production.filter((name) => name !== "rds-protected").sort());
  });

  describe("each production rule at its boundary: the last passing value passes, the next one gives exactly that violation", () => {
    for (const { policy, boundary: [passing, keep], broken: [failing, mutate, message] } of productionCases) {
      it(`${policy}: passes ${passing}`, async () => {
        const resources = copyOf(prodLive);
        keep(resources);
        assert.deepEqual(await analyzeResources(pack, resources), []);
      });
      it(`${policy}: refuses ${failing}`, async () => {
        const resources = copyOf(prodLive);
        const broken = mutate(resources);
        // A stack policy's finding without a resource is the stack's: the engine sends no URN.
        const urn = ["alerts-service-down-alarm", "alerts-heartbeat-alarm", "alerts-critical-alarm"].includes(policy) ? "" : broken.urn;
        assert.deepEqual(await analyzeResources(pack, resources), [{ policy, level: levelOf(policy), urn, message }]);
      });
    }
  });

  describe("non-production safety", () => {
    for (const { policy, level, mutate, message } of nonProductionBreaks) {
      it(`${policy} (${level}) on dev`, async () => {
        const resources = copyOf(dev.resources);
        const broken = mutate(resources);
        assert.deepEqual(await analyzeResources(pack, resources), [{ policy, level, urn: broken.urn, message }]);
      });
    }

    it("does not judge prod by them: prod trades live behind a NAT gateway per AZ", async () => {
      const diagnostics = await analyzeResources(pack, prodLive);
      assert.equal(diagnostics.filter((d) => d.policy.startsWith("non-production-")).length, 0);
    });
  });

  describe("a value unknown at preview is reported, never passed silently", () => {
    for (const [policy, [type, key, name]] of Object.entries(unknownProbes)) {
      it(policy, async () => {
        const resources = copyOf(prodLive);
        // Unknown, with no recorded dependency to decide by either.
        const resource = set(type, key, unknownValue, name)(resources);
        resource.secretInputs = resource.secretInputs.filter((k) => k !== key);
        const diagnostics = (await analyzeResources(pack, resources)).filter((d) => d.policy === policy);
        assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
        assert.equal(diagnostics[0].level, "advisory");
        assert.match(diagnostics[0].message, new RegExp(`^can't run policy '${policy}' from policy pack '${packName}@v${packVersion}' during preview: `));
      });
    }
  });

  it("ties a service to its cluster by recorded dependencies when the values do not match", async () => {
    const resources = copyOf(prodLive);
    const cluster = find(resources, "aws:ecs/cluster:Cluster");
    const service = set(SERVICE, "capacityProviderStrategies", undefined)(resources);
    service.state.cluster = "an-arn-the-engine-has-not-resolved";
    service.propertyDependencies = { cluster: [cluster.urn] };
    const capacity = set("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "defaultCapacityProviderStrategies", [
      { capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 },
    ])(resources);
    capacity.state.clusterName = "a-name-the-engine-has-not-resolved";
    capacity.propertyDependencies = { clusterName: [cluster.urn] };
    assert.deepEqual(await analyzeResources(pack, resources), [
      {
        policy: "ecs-service-default-strategy-not-spot",
        level: "mandatory",
        urn: service.urn,
        message: "the service sets neither launchType nor capacityProviderStrategies, and its cluster's default strategy includes FARGATE_SPOT",
      },
    ]);
  });

  it("ties alarms and the subscription to the critical topic by recorded dependencies while its ARN is unknown", async () => {
    const resources = copyOf(prodLive);
    const critical = find(resources, TOPIC, "trading-bot-alerts-critical");
    critical.state.arn = unknownValue;
    for (const alarm of resources.filter((r) => r.type === ALARM)) {
      alarm.state.alarmActions = alarm.state.okActions = [unknownValue];
      alarm.propertyDependencies = { alarmActions: [critical.urn], okActions: [critical.urn] };
    }
    const subscription = find(resources, SUBSCRIPTION);
    subscription.state.topic = unknownValue;
    subscription.propertyDependencies = { topic: [critical.urn] };
    assert.deepEqual(await analyzeResources(pack, resources), []);
  });

  it("finds a dev stand-in component in a production stack", async () => {
    const resources = copyOf(prodLive);
    const volume = componentResourceOf("prod", "trading-bot:infra:SqliteVolume", "trading-bot-db");
    resources.push(volume);
    assert.deepEqual(await analyzeResources(pack, resources), [
      { policy: "no-dev-stand-ins", level: "mandatory", urn: volume.urn, message: "SqliteVolume trading-bot-db is a dev stand-in; production uses PostgresDatabase" },
    ]);
  });

  it("refuses an import role on a production stack", async () => {
    const resources = copyOf(prodLive);
    const role = tagRole("import")(resources);
    assert.deepEqual(await analyzeResources(pack, resources), [{
      policy: "data-sync-no-import", level: "mandatory", urn: role.urn,
      message: "the role is tagged trading-bot:data-sync=import; a production stack has no import role (it could load another stack's export into production)",
    }]);
  });

  it("refuses a critical topic nobody can identify: the severity tags removed", async () => {
    const resources = copyOf(prodLive);
    for (const topic of resources.filter((r) => r.type === TOPIC)) delete topic.state.tags;
    const message = "no SNS topic is tagged trading-bot:severity=critical; the Alerts component tags each topic with its severity, and production needs the critical one";
    assert.deepEqual(await analyzeResources(pack, resources), [
      { policy: "alerts-critical-alarm", level: "mandatory", urn: "", message },
      { policy: "alerts-critical-subscription", level: "mandatory", urn: "", message },
    ]);
  });

  describe("policy-pack config", () => {
    it("npm run policy-config -- live makes live production for every policy, so the production rules judge it", async () => {
      const printed = spawnSync(process.execPath, [path.join(repoRoot, "tools", "launch.js"), "policyConfig", "live"], { cwd: repoRoot, encoding: "utf8" });
      assert.equal(printed.status, 0, printed.stderr);
      const config = JSON.parse(printed.stdout) as Record<string, { enforcementLevel: Level; productionStacks: string[] }>;
      assert.deepEqual(Object.keys(config).sort(), rules.map((rule) => rule.name).sort());
      for (const rule of rules) assert.deepEqual(config[rule.name], { enforcementLevel: rule.enforcementLevel, productionStacks: ["prod", "production", "live"] });

      // A dev-grade stack named live: judged by the non-production rules until the config says otherwise.
      const devYaml = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
      const live = (await runStackText("live", devYaml)).resources;
      const fired = async () => [...new Set((await analyzeResources(pack, live)).filter((d) => d.level === "mandatory").map((d) => d.policy))].sort();
      assert.deepEqual(await fired(), []);
      await pack.configure(config);
      const production = await fired();
      for (const policy of ["no-dev-stand-ins", "ecs-task-environment-production", "ecs-service-desired-count", "alerts-critical-subscription"]) {
        assert.ok(production.includes(policy), `${policy} judged live: ${production.join(", ")}`);
      }
      assert.ok(production.every((policy) => !policy.startsWith("non-production-")), production.join(", "));
    });

    it("npm run policy-config refuses a name the project cannot build (exit 2, one line)", () => {
      const printed = spawnSync(process.execPath, [path.join(repoRoot, "tools", "launch.js"), "policyConfig", "Live"], { cwd: repoRoot, encoding: "utf8" });
      assert.equal(printed.status, 2);
      assert.equal(printed.stdout, "");
      assert.equal(printed.stderr, 'policy-config: "Live" is not a stack name this project can build: use 1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen\n');
    });

    it("changes which stacks are production", async () => {
      const info = await pack.info();
      await pack.configure(Object.fromEntries(info.policies.map((p) => [p.name, { enforcementLevel: p.level, productionStacks: ["live"] }])));
      const diagnostics = await analyzeResources(pack, prodLive);
      const task = find(prodLive, TASK);
      // In resource order: the VPC comes before the task definition.
      assert.deepEqual(diagnostics, [
        { policy: "non-production-nat-gateway-cost", level: "advisory", urn: find(prodLive, VPC).urn,
          message: "natGateways.strategy is OnePerAz; each NAT gateway costs about 33 USD a month: use None or Single outside production" },
        { policy: "non-production-testnet-only", level: "mandatory", urn: task.urn,
          message: "container trading-bot has BYBIT_TESTNET=false; outside production the bot must trade on testnet (BYBIT_TESTNET=true)" },
        { policy: "non-production-environment-not-production", level: "mandatory", urn: task.urn, message: nonProductionBreaks[1].message },
      ]);
    });

    it("changes a threshold and an enforcement level", async () => {
      await pack.configure({ "ecs-service-desired-count": { enforcementLevel: "advisory", minimumTasks: 4 } });
      const diagnostics = await analyzeResources(pack, prodLive);
      assert.deepEqual(diagnostics, [
        { policy: "ecs-service-desired-count", level: "advisory", urn: find(prodLive, SERVICE).urn, message: "desiredCount is 3; production runs at least 4 tasks" },
      ]);
    });

    it("accepts another image tag pattern", async () => {
      const resources = copyOf(prodLive);
      editContainers(([app]) => (app.image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:build-42"))(resources);
      const task = find(resources, TASK);
      assert.deepEqual(await analyzeResources(pack, resources), [{
        policy: "ecs-task-immutable-image", level: "mandatory", urn: task.urn,
        message: "container trading-bot runs 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:build-42: its tag build-42 is not a version or a commit SHA (versionTagPattern); pin a version tag or a digest",
      }]);
      await pack.configure({ "ecs-task-immutable-image": { versionTagPattern: "build-\\d+" } });
      assert.deepEqual(await analyzeResources(pack, resources), []);
    });
  });
});
