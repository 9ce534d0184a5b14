// The policy pack, run as the Pulumi CLI runs it (run-policy-pack + the Analyzer protocol),
// against the real prod and dev stacks and against each of them broken in one place.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { rules } from "../policies/catalog";
import { renderPolicyTable } from "../tools/policyTable";
import { MockRunResult, RecordedResource } from "../tools/engine/resource";
import { Diagnostic, Level, PolicyPackProcess, analyzeResources, unknownValue } from "../tools/engine/policyPack";
import { repoRoot, runCommittedStack } from "./helpers";

const packName = "trading-bot-policies";
const packVersion = "0.1.0";

/** A recorded resource as the engine describes it, with the dependencies it may carry. */
type Resource = RecordedResource;
type Mutation = (resources: Resource[]) => Resource;

/** A deep copy of the run's resources, so a mutation touches one test only. */
function copyOf(run: MockRunResult): Resource[] {
  return structuredClone(run.resources);
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

/** Sets `key` of the resource's inputs and state (Analyze reads inputs, AnalyzeStack outputs). */
function set(type: string, key: string, value: unknown, name?: string): Mutation {
  return (resources) => {
    const resource = find(resources, type, name);
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

interface Break {
  policy: string;
  mutate: Mutation;
  message: string;
}

const productionBreaks: Break[] = [
  { policy: "ecs-service-minimum-healthy-percent", mutate: set(SERVICE, "deploymentMinimumHealthyPercent", 0),
    message: "deploymentMinimumHealthyPercent is 0; production keeps at least 50 % of its tasks running through a deployment" },
  { policy: "ecs-service-maximum-percent", mutate: set(SERVICE, "deploymentMaximumPercent", 90),
    message: "deploymentMaximumPercent is 90; it must be at least 100" },
  { policy: "ecs-service-circuit-breaker", mutate: set(SERVICE, "deploymentCircuitBreaker", { enable: true, rollback: false }),
    message: "deploymentCircuitBreaker must be enabled with rollback, so a failed deployment rolls back by itself" },
  { policy: "ecs-service-desired-count", mutate: set(SERVICE, "desiredCount", 1),
    message: "desiredCount is 1; production runs at least 2 tasks" },
  { policy: "ecs-service-no-fargate-spot",
    mutate: set(SERVICE, "capacityProviderStrategies", [{ capacityProvider: "FARGATE", weight: 1, base: 2 }, { capacityProvider: "FARGATE_SPOT", weight: 3, base: 0 }]),
    message: "capacityProviderStrategies includes FARGATE_SPOT; Spot tasks can be reclaimed at two minutes' notice" },
  { policy: "ecs-service-no-public-ip",
    mutate: (resources) => {
      const service = find(resources, SERVICE);
      (service.inputs.networkConfiguration as Record<string, unknown>).assignPublicIp = true;
      return service;
    },
    message: "networkConfiguration.assignPublicIp is true; production tasks run in private subnets without public IPs" },
  { policy: "ecs-service-default-strategy-not-spot",
    mutate: (resources) => {
      set(SERVICE, "capacityProviderStrategies", undefined)(resources);
      set("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "defaultCapacityProviderStrategies", [{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }])(resources);
      return find(resources, SERVICE);
    },
    message: "the service sets neither launchType nor capacityProviderStrategies, and its cluster's default strategy includes FARGATE_SPOT" },
  { policy: "ecs-task-container-logging", mutate: editContainers(([app]) => delete app.logConfiguration),
    message: "container trading-bot has no logConfiguration.logDriver; its output would be lost" },
  { policy: "ecs-task-no-secrets-in-environment", mutate: setAppEnvironment("BYBIT_API_KEY", "k"),
    message: "container trading-bot sets BYBIT_API_KEY in plain environment; pass it through secrets (valueFrom a Secrets Manager ARN)" },
  { policy: "ecs-task-health-check", mutate: editContainers(([app]) => delete app.healthCheck),
    message: "container trading-bot has no healthCheck; ECS could not replace a hung bot" },
  { policy: "ecs-task-no-debug-logging", mutate: setAppEnvironment("LOG_LEVEL", "DEBUG"),
    message: "container trading-bot sets LOG_LEVEL=DEBUG; production logs at INFO or above" },
  { policy: "ecs-task-no-debug-features", mutate: setAppEnvironment("FAKE_API_RESPONSES", "true"),
    message: "container trading-bot sets FAKE_API_RESPONSES=true; it must be off in production" },
  { policy: "ecs-task-immutable-image", mutate: editContainers(([app]) => (app.image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:latest")),
    message: "container trading-bot runs 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:latest; pin a version tag or a digest, not latest" },
  { policy: "ecs-cluster-container-insights", mutate: set("aws:ecs/cluster:Cluster", "settings", [{ name: "containerInsights", value: "disabled" }]),
    message: "containerInsights is disabled; production clusters have it enabled" },
  { policy: "rds-multi-az", mutate: set(RDS, "multiAz", false), message: "multiAz is false; production needs a standby in a second AZ" },
  { policy: "rds-storage-encrypted", mutate: set(RDS, "storageEncrypted", undefined), message: "storageEncrypted is unset; production data is encrypted at rest" },
  { policy: "rds-not-public", mutate: set(RDS, "publiclyAccessible", true), message: "publiclyAccessible is true; the database is reachable from inside the VPC only" },
  { policy: "rds-deletion-protection", mutate: set(RDS, "deletionProtection", false), message: "deletionProtection is false; production refuses DeleteDBInstance until it is turned off" },
  { policy: "rds-final-snapshot", mutate: set(RDS, "skipFinalSnapshot", true), message: "skipFinalSnapshot is true; deleting the production database must leave a final snapshot" },
  { policy: "rds-backup-retention", mutate: set(RDS, "backupRetentionPeriod", 3), message: "backupRetentionPeriod is 3; production keeps at least 7 days of backups" },
  { policy: "rds-performance-insights", mutate: set(RDS, "performanceInsightsEnabled", false), message: "performanceInsightsEnabled is false; production keeps Performance Insights to diagnose slow queries" },
  { policy: "rds-protected",
    mutate: (resources) => {
      const db = find(resources, RDS);
      db.protect = false;
      return db;
    },
    message: "the instance is not protected; set protect on it so no pulumi up or destroy can delete it" },
  { policy: "elasticache-cluster-mode", mutate: set(CACHE, "clusterMode", "disabled"), message: "clusterMode is disabled; production runs Redis in cluster mode" },
  { policy: "elasticache-automatic-failover", mutate: set(CACHE, "automaticFailoverEnabled", false), message: "automaticFailoverEnabled is false; a failed primary must fail over to its replica" },
  { policy: "elasticache-multi-az", mutate: set(CACHE, "multiAzEnabled", false), message: "multiAzEnabled is false; production keeps replicas in another AZ" },
  { policy: "elasticache-encryption", mutate: set(CACHE, "atRestEncryptionEnabled", "false"),
    message: "transitEncryptionEnabled is true and atRestEncryptionEnabled is false; production encrypts both" },
  { policy: "elasticache-auth",
    mutate: (resources) => {
      const group = set(CACHE, "authToken", undefined)(resources);
      group.secretInputs = [];
      return group;
    },
    message: "neither authToken nor userGroupIds is set; production clients must authenticate" },
  { policy: "elasticache-snapshots", mutate: set(CACHE, "snapshotRetentionLimit", 0), message: "snapshotRetentionLimit is 0; production keeps at least 1 day(s) of snapshots" },
  { policy: "log-group-retention", mutate: set("aws:cloudwatch/logGroup:LogGroup", "retentionInDays", undefined), message: "retentionInDays is unset; production log groups set a retention" },
  { policy: "alarm-actions", mutate: set("aws:cloudwatch/metricAlarm:MetricAlarm", "actionsEnabled", false, "trading-bot-alerts-TradingLoss"),
    message: "actionsEnabled is false with 1 alarm action(s); a production alarm must notify someone" },
  { policy: "s3-bucket-no-force-destroy", mutate: set("aws:s3/bucket:Bucket", "forceDestroy", true),
    message: "forceDestroy is true; pulumi destroy would delete every version of the production objects" },
  { policy: "security-group-no-public-ingress",
    mutate: (resources) => {
      const rule = find(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "trading-bot-db-from-service");
      delete rule.inputs.referencedSecurityGroupId;
      rule.inputs.cidrIpv4 = "0.0.0.0/0";
      return rule;
    },
    message: "ingress from 0.0.0.0/0; production admits only known sources" },
  { policy: "no-dev-stand-ins",
    mutate: editContainers((containers) => {
      containers.push({ ...containers[0], name: "redis", image: "public.ecr.aws/docker/library/redis:7.4-alpine", environment: [], secrets: [], healthCheck: undefined });
    }),
    message: "container redis runs public.ecr.aws/docker/library/redis:7.4-alpine in the task: a dev stand-in; production uses RedisCluster" },
];

const nonProductionBreaks: (Break & { level: Level })[] = [
  { policy: "non-production-testnet-only", level: "mandatory", mutate: setAppEnvironment("BYBIT_TESTNET", "false"),
    message: "container trading-bot has BYBIT_TESTNET=false; outside production the bot must trade on testnet (BYBIT_TESTNET=true)" },
  { policy: "non-production-nat-gateway-cost", level: "advisory", mutate: set("awsx:ec2:Vpc", "natGateways", undefined),
    message: "natGateways.strategy is unset (awsx makes one per AZ); each NAT gateway costs about 33 USD a month: use None or Single outside production" },
];

/** The property each resource rule reads first, to make it unknown. */
const unknownProbes: Record<string, [type: string, key: string, name?: string]> = {
  "ecs-service-minimum-healthy-percent": [SERVICE, "deploymentMinimumHealthyPercent"],
  "ecs-service-maximum-percent": [SERVICE, "deploymentMaximumPercent"],
  "ecs-service-circuit-breaker": [SERVICE, "deploymentCircuitBreaker"],
  "ecs-service-desired-count": [SERVICE, "desiredCount"],
  "ecs-service-no-fargate-spot": [SERVICE, "capacityProviderStrategies"],
  "ecs-service-no-public-ip": [SERVICE, "networkConfiguration"],
  "ecs-service-default-strategy-not-spot": [SERVICE, "capacityProviderStrategies"],
  "ecs-task-container-logging": [TASK, "containerDefinitions"],
  "ecs-task-no-secrets-in-environment": [TASK, "containerDefinitions"],
  "ecs-task-health-check": [TASK, "containerDefinitions"],
  "ecs-task-no-debug-logging": [TASK, "containerDefinitions"],
  "ecs-task-no-debug-features": [TASK, "containerDefinitions"],
  "ecs-task-immutable-image": [TASK, "containerDefinitions"],
  "ecs-cluster-container-insights": ["aws:ecs/cluster:Cluster", "settings"],
  "rds-multi-az": [RDS, "multiAz"],
  "rds-storage-encrypted": [RDS, "storageEncrypted"],
  "rds-not-public": [RDS, "publiclyAccessible"],
  "rds-deletion-protection": [RDS, "deletionProtection"],
  "rds-final-snapshot": [RDS, "skipFinalSnapshot"],
  "rds-backup-retention": [RDS, "backupRetentionPeriod"],
  "rds-performance-insights": [RDS, "performanceInsightsEnabled"],
  "elasticache-cluster-mode": [CACHE, "clusterMode"],
  "elasticache-automatic-failover": [CACHE, "automaticFailoverEnabled"],
  "elasticache-multi-az": [CACHE, "multiAzEnabled"],
  "elasticache-encryption": [CACHE, "transitEncryptionEnabled"],
  "elasticache-auth": [CACHE, "authToken"],
  "elasticache-snapshots": [CACHE, "snapshotRetentionLimit"],
  "log-group-retention": ["aws:cloudwatch/logGroup:LogGroup", "retentionInDays"],
  "alarm-actions": ["aws:cloudwatch/metricAlarm:MetricAlarm", "alarmActions", "trading-bot-alerts-ServiceDown"],
  "s3-bucket-no-force-destroy": ["aws:s3/bucket:Bucket", "forceDestroy"],
  "security-group-no-public-ingress": ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "cidrIpv4", "trading-bot-db-from-service"],
  "no-dev-stand-ins": [TASK, "containerDefinitions"],
};

describe("the policy pack, over the Analyzer protocol", function () {
  let pack: PolicyPackProcess;
  let prod: MockRunResult;
  let dev: MockRunResult;

  before(async () => {
    [pack, prod, dev] = await Promise.all([
      PolicyPackProcess.start(path.join(repoRoot, "policies")),
      runCommittedStack("prod"),
      runCommittedStack("dev"),
    ]);
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

  it("matches the README's policy table", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const table = /<!-- policy-table -->\n([\s\S]*?)\n<!-- \/policy-table -->/.exec(readme)?.[1];
    assert.equal(table, renderPolicyTable(), "run npm run policy-table and paste its output into the README");
  });

  it("passes the committed prod stack with no diagnostic at all", async () => {
    assert.deepEqual(await analyzeResources(pack, prod.resources), []);
  });

  it("passes the committed dev stack with no diagnostic at all", async () => {
    assert.deepEqual(await analyzeResources(pack, dev.resources), []);
  });

  it("has a break below for every production policy and a probe for every unknown", () => {
    const production = rules.filter((r) => r.scope === "production").map((r) => r.name);
    assert.deepEqual(productionBreaks.map((b) => b.policy), production);
    assert.deepEqual(nonProductionBreaks.map((b) => b.policy), rules.filter((r) => r.scope === "non-production").map((r) => r.name));
    assert.deepEqual(Object.keys(unknownProbes).sort(), production.filter((name) => name !== "rds-protected").sort());
  });

  describe("breaking one production invariant at a time gives exactly that violation", () => {
    for (const { policy, mutate, message } of productionBreaks) {
      it(policy, async () => {
        const resources = copyOf(prod);
        const broken = mutate(resources);
        const expected: Diagnostic[] = [{ policy, level: "mandatory", urn: broken.urn, message }];
        assert.deepEqual(await analyzeResources(pack, resources), expected);
      });
    }
  });

  describe("non-production safety", () => {
    for (const { policy, level, mutate, message } of nonProductionBreaks) {
      it(`${policy} (${level}) on dev`, async () => {
        const resources = copyOf(dev);
        const broken = mutate(resources);
        assert.deepEqual(await analyzeResources(pack, resources), [{ policy, level, urn: broken.urn, message }]);
      });
    }

    it("does not judge prod by them: prod trades live behind a NAT gateway per AZ", async () => {
      const diagnostics = await analyzeResources(pack, prod.resources);
      assert.equal(diagnostics.filter((d) => d.policy.startsWith("non-production-")).length, 0);
    });
  });

  describe("a value unknown at preview is reported, never passed silently", () => {
    for (const [policy, [type, key, name]] of Object.entries(unknownProbes)) {
      it(policy, async () => {
        const resources = copyOf(prod);
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
    const resources = copyOf(prod);
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

  it("finds a dev stand-in component in a production stack", async () => {
    const resources = copyOf(prod);
    const volume: RecordedResource = {
      urn: "urn:pulumi:prod::trading-bot::trading-bot:infra:SqliteVolume::trading-bot-db",
      type: "trading-bot:infra:SqliteVolume",
      name: "trading-bot-db",
      parentUrn: null,
      custom: false,
      protect: false,
      inputs: {},
      secretInputs: [],
      state: {},
    };
    resources.push(volume);
    assert.deepEqual(await analyzeResources(pack, resources), [
      { policy: "no-dev-stand-ins", level: "mandatory", urn: volume.urn, message: "SqliteVolume trading-bot-db is a dev stand-in; production uses PostgresDatabase" },
    ]);
  });

  describe("more compliant values", () => {
    const cases: [string, Mutation][] = [
      ["an unset minimum healthy percent (AWS's 100)", set(SERVICE, "deploymentMinimumHealthyPercent", undefined)],
      ["encryption flags given as the string \"true\"", (r) => {
        set(CACHE, "transitEncryptionEnabled", "true")(r);
        return set(CACHE, "atRestEncryptionEnabled", "true")(r);
      }],
      ["a user group instead of an auth token", (r) => {
        const group = set(CACHE, "authToken", undefined)(r);
        group.secretInputs = [];
        return set(CACHE, "userGroupIds", ["trading-bot-users"])(r);
      }],
      ["an image pinned by digest", editContainers(([app]) => (app.image = `trading-bot@sha256:${"a".repeat(64)}`))],
      ["Container Insights enhanced", set("aws:ecs/cluster:Cluster", "settings", [{ name: "containerInsights", value: "enhanced" }])],
      ["LOG_LEVEL=INFO", setAppEnvironment("LOG_LEVEL", "INFO")],
    ];
    for (const [what, mutate] of cases) {
      it(`accepts ${what}`, async () => {
        const resources = copyOf(prod);
        mutate(resources);
        assert.deepEqual(await analyzeResources(pack, resources), []);
      });
    }
  });

  describe("policy-pack config", () => {
    it("changes which stacks are production", async () => {
      const info = await pack.info();
      await pack.configure(Object.fromEntries(info.policies.map((p) => [p.name, { enforcementLevel: p.level, productionStacks: ["live"] }])));
      const diagnostics = await analyzeResources(pack, prod.resources);
      const task = find(prod.resources, TASK);
      // In resource order: the VPC comes before the task definition.
      assert.deepEqual(diagnostics, [
        { policy: "non-production-nat-gateway-cost", level: "advisory", urn: find(prod.resources, "awsx:ec2:Vpc").urn,
          message: "natGateways.strategy is OnePerAz; each NAT gateway costs about 33 USD a month: use None or Single outside production" },
        { policy: "non-production-testnet-only", level: "mandatory", urn: task.urn,
          message: "container trading-bot has BYBIT_TESTNET=false; outside production the bot must trade on testnet (BYBIT_TESTNET=true)" },
      ]);
    });

    it("changes a threshold and an enforcement level", async () => {
      await pack.configure({ "ecs-service-desired-count": { enforcementLevel: "advisory", minimumTasks: 4 } });
      const diagnostics = await analyzeResources(pack, prod.resources);
      assert.deepEqual(diagnostics, [
        { policy: "ecs-service-desired-count", level: "advisory", urn: find(prod.resources, SERVICE).urn, message: "desiredCount is 3; production runs at least 4 tasks" },
      ]);
    });
  });
});
