// Bad stack config: each case breaks one committed file in one place and expects the
// exact line a user would read.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { StackConfigError, parseStackConfig, stackConfigSchema } from "../stacks/config";
import { awsProviderKeys } from "../stacks/stackFileKeys";
import { StackFileError, parseProgramConfig, readProgramConfig, withPlaceholderSecrets } from "../tools/engine/stackFile";
import { repoRoot, runStackText } from "./helpers";

const committed = {
  dev: fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8"),
  prod: fs.readFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), "utf8"),
};

/** Validates the committed file of `stack` with `from` replaced by `to`. */
function validate(stack: "dev" | "prod", from: string, to: string) {
  assert.ok(committed[stack].includes(from), `Pulumi.${stack}.yaml contains ${JSON.stringify(from)}`);
  const file = withPlaceholderSecrets(parseProgramConfig(stack, committed[stack].replace(from, to)));
  return parseStackConfig(stack, file.config, (key) => file.secretKeys.includes(key));
}

function rejects(stack: "dev" | "prod", from: string, to: string, message: string) {
  assert.throws(() => validate(stack, from, to), (error: unknown) => {
    assert.ok(error instanceof StackConfigError);
    assert.equal(error.message, message);
    return true;
  });
}

describe("stack config validation", () => {
  it("accepts both committed stack files", () => {
    assert.equal(validate("dev", "", "").service.cpu, 256);
    assert.equal(validate("prod", "", "").service.cpu, 1024);
  });

  const cases: [string, "dev" | "prod", string, string, string][] = [
    ["a Fargate CPU size that does not exist", "prod", "cpu: 1024", "cpu: 300",
      "Pulumi.prod.yaml: trading-bot:service.cpu is 300; Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384"],
    ["memory that does not pair with the CPU", "prod", "memoryMiB: 2048", "memoryMiB: 1024",
      "Pulumi.prod.yaml: trading-bot:service.memoryMiB is 1024; Fargate allows with cpu 1024: 2048, 3072, 4096, 5120, 6144, 7168, 8192"],
    ["a minimum healthy percent above 100", "prod", "deploymentMinimumHealthyPercent: 50", "deploymentMinimumHealthyPercent: 150",
      "Pulumi.prod.yaml: trading-bot:service.deploymentMinimumHealthyPercent is 150; allowed: a percentage from 0 to 100"],
    ["a maximum percent above 200", "prod", "deploymentMaximumPercent: 150", "deploymentMaximumPercent: 250",
      "Pulumi.prod.yaml: trading-bot:service.deploymentMaximumPercent is 250; allowed: a percentage from 100 to 200"],
    ["a percentage written as text", "prod", "deploymentMinimumHealthyPercent: 50", 'deploymentMinimumHealthyPercent: "50"',
      'Pulumi.prod.yaml: trading-bot:service.deploymentMinimumHealthyPercent is "50"; allowed: a percentage from 0 to 100'],
    ["a rollout that can never replace a task", "prod", "deploymentMinimumHealthyPercent: 50\n    deploymentMaximumPercent: 150", "deploymentMinimumHealthyPercent: 100\n    deploymentMaximumPercent: 100",
      "Pulumi.prod.yaml: trading-bot:service.deploymentMaximumPercent is 100; with deploymentMinimumHealthyPercent 100 ECS has no room to replace a task: allowed 101 to 200"],
    ["an RDS class without its db. prefix", "prod", "instanceClass: db.t4g.small", "instanceClass: t4g.small",
      'Pulumi.prod.yaml: trading-bot:database.instanceClass is "t4g.small"; allowed: an RDS instance class such as db.t4g.small'],
    ["an RDS class given as the cache node type", "prod", "nodeType: cache.t4g.small", "nodeType: db.t4g.small",
      'Pulumi.prod.yaml: trading-bot:cache.nodeType is "db.t4g.small"; allowed: an ElastiCache node type such as cache.t4g.small'],
    ["a log retention CloudWatch does not accept", "prod", "logRetentionDays: 90", "logRetentionDays: 45",
      "Pulumi.prod.yaml: trading-bot:service.logRetentionDays is 45; CloudWatch Logs allows 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"],
    ["a log level the app does not know", "prod", "logLevel: WARNING", "logLevel: WARN",
      'Pulumi.prod.yaml: trading-bot:app.logLevel is "WARN"; allowed: DEBUG, INFO, WARNING, ERROR, CRITICAL'],
    ["a database kind with no component", "prod", "kind: postgres", "kind: mysql",
      'Pulumi.prod.yaml: trading-bot:database.kind is "mysql"; allowed: postgres, sqlite'],
    ["a misspelt setting", "prod", "desiredCount: 3", "desiredCount: 3\n    desiredCont: 2",
      "Pulumi.prod.yaml: trading-bot:service.desiredCont is not a setting; trading-bot:service takes cpu, memoryMiB, cpuArchitecture, desiredCount, deploymentMinimumHealthyPercent, deploymentMaximumPercent, deployTimeoutMinutes, capacityProviderStrategy, subnets, assignPublicIp, healthCheck, serviceDiscovery, containerInsights, logRetentionDays"],
    ["a misspelt top-level key", "prod", "  trading-bot:environment: production", "  trading-bot:environment: production\n  trading-bot:servce: {}",
      "Pulumi.prod.yaml: trading-bot:servce is not a setting; the trading-bot namespace takes aws:region, trading-bot:environment, trading-bot:budget, trading-bot:network, trading-bot:app, trading-bot:service, trading-bot:database, trading-bot:cache, trading-bot:secrets, trading-bot:configBucket, trading-bot:alerts, trading-bot:dashboard, trading-bot:tradingConfig, trading-bot:dataSync, trading-bot:accounts"],
    ["two tasks writing one SQLite file", "dev", "desiredCount: 1", "desiredCount: 2",
      "Pulumi.dev.yaml: trading-bot:service.desiredCount is 2; SQLite (trading-bot:database.kind sqlite) allows one writer: at most 1 task"],
    ["private subnets in a VPC with no NAT gateway", "dev", "subnets: public\n    assignPublicIp: true", "subnets: private\n    assignPublicIp: false",
      'Pulumi.dev.yaml: trading-bot:service.subnets is "private"; private subnets have no way out when trading-bot:network.natGateways is None: use public (with assignPublicIp true) or add NAT gateways'],
    ["public subnets without a public IP", "dev", "assignPublicIp: true", "assignPublicIp: false",
      "Pulumi.dev.yaml: trading-bot:service.assignPublicIp is false; tasks in public subnets need a public IP to reach Bybit and ECR: allowed true"],
    ["an implicit NAT gateway strategy", "prod", "    natGateways: OnePerAz\n", "",
      "Pulumi.prod.yaml: trading-bot:network.natGateways is missing; allowed: None, Single, OnePerAz (always explicit: awsx would make one per AZ)"],
    ["a Multi-AZ cache without a replica", "prod", "replicasPerShard: 1", "replicasPerShard: 0",
      "Pulumi.prod.yaml: trading-bot:cache.multiAz is true; allowed: false with replicasPerShard 0 (Multi-AZ needs a replica in another AZ)"],
    ["six replicas per shard", "prod", "replicasPerShard: 1", "replicasPerShard: 6",
      "Pulumi.prod.yaml: trading-bot:cache.replicasPerShard is 6; allowed: replicas from 0 to 5"],
    ["a health check ECS cannot run", "prod", '[ "CMD-SHELL", "curl -f http://localhost:8080/health || exit 1" ]', '[ "curl -f http://localhost:8080/health" ]',
      'Pulumi.prod.yaml: trading-bot:service.healthCheck.command is ["curl -f http://localhost:8080/health"]; allowed: ["CMD", <program>, <args>...] or ["CMD-SHELL", "<one shell line>"], e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]'],
    ["a CMD-SHELL health check in two pieces", "prod", '[ "CMD-SHELL", "curl -f http://localhost:8080/health || exit 1" ]', '[ "CMD-SHELL", "curl", "-f" ]',
      'Pulumi.prod.yaml: trading-bot:service.healthCheck.command is ["CMD-SHELL","curl","-f"]; allowed: ["CMD", <program>, <args>...] or ["CMD-SHELL", "<one shell line>"], e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]'],
    ["a deploy timeout too short for a task to start", "prod", "deployTimeoutMinutes: 20", "deployTimeoutMinutes: 1",
      "Pulumi.prod.yaml: trading-bot:service.deployTimeoutMinutes is 1; allowed: minutes from 5 to 120"],
    ["a CPU architecture Fargate lacks", "prod", "cpu: 1024", "cpu: 1024\n    cpuArchitecture: arm64",
      'Pulumi.prod.yaml: trading-bot:service.cpuArchitecture is "arm64"; allowed: X86_64, ARM64'],
    ["an alarm threshold that is not a number", "prod", "threshold: -10000", "threshold: low",
      'Pulumi.prod.yaml: trading-bot:alerts.rules[4].threshold is "low"; allowed: a number'],
    ["the threshold desiredCount, which froze the count at the stack file's", "prod", "threshold: -10000", "threshold: desiredCount",
      "Pulumi.prod.yaml: trading-bot:alerts.rules[4].threshold is \"desiredCount\"; allowed: a number; desiredCount froze the count at the stack file's: compare Container Insights' DesiredTaskCount and RunningTaskCount with metricMath (see Pulumi.prod.yaml's TaskDown)"],
    ["an alarm on Container Insights with Container Insights off", "prod", "containerInsights: enabled", "containerInsights: disabled",
      ["rules[0].metric", "rules[1].metricMath.metrics.desired", "rules[1].metricMath.metrics.running"]
        .map((where) => `Pulumi.prod.yaml: trading-bot:alerts.${where}.namespace is "ECS/ContainerInsights"; trading-bot:service.containerInsights is disabled, so this namespace gets no data and the alarm would never leave its missing-data state: enable Container Insights or read AWS/ECS`)
        .join("\n")],
    ["more datapoints to alarm than evaluation periods", "prod", "        evaluationPeriods: 3\n        datapointsToAlarm: 2\n", "        evaluationPeriods: 3\n        datapointsToAlarm: 4\n",
      "Pulumi.prod.yaml: trading-bot:alerts.rules[0].datapointsToAlarm is 4; allowed: datapoints from 1 to evaluationPeriods (3)"],
    ["datapoints to alarm that are not a whole number", "prod", "        evaluationPeriods: 3\n        datapointsToAlarm: 2\n", "        evaluationPeriods: 3\n        datapointsToAlarm: 1.5\n",
      "Pulumi.prod.yaml: trading-bot:alerts.rules[0].datapointsToAlarm is 1.5; allowed: datapoints from 1 to evaluationPeriods (3)"],
    ["Cloud Map without consumers", "prod", "    serviceDiscovery: null\n", "    serviceDiscovery: { namespace: trading.internal, serviceName: trading-bot, consumers: [] }\n",
      "Pulumi.prod.yaml: trading-bot:service.serviceDiscovery.consumers is []; allowed: at least one consumer: the tasks' security group admits only them, so a name no consumer may reach leads nowhere (leave serviceDiscovery null)"],
    ["Cloud Map with no consumers key", "prod", "    serviceDiscovery: null\n", "    serviceDiscovery: { namespace: trading.internal, serviceName: trading-bot }\n",
      "Pulumi.prod.yaml: trading-bot:service.serviceDiscovery.consumers is missing; allowed: a list of consumers, each { securityGroupId or prefixListId, description }"],
    ["a consumer with both a security group and a prefix list", "prod", "    serviceDiscovery: null\n",
      "    serviceDiscovery: { namespace: trading.internal, serviceName: trading-bot, consumers: [ { securityGroupId: sg-0a1b2c3d4e5f60718, prefixListId: pl-0a1b2c3d4e5f60718, description: ops } ] }\n",
      "Pulumi.prod.yaml: trading-bot:service.serviceDiscovery.consumers[0].securityGroupId is \"sg-0a1b2c3d4e5f60718\"; set exactly one of securityGroupId and prefixListId"],
    ["a consumer named by a CIDR block", "prod", "    serviceDiscovery: null\n",
      "    serviceDiscovery: { namespace: trading.internal, serviceName: trading-bot, consumers: [ { securityGroupId: 0.0.0.0/0, description: everyone } ] }\n",
      "Pulumi.prod.yaml: trading-bot:service.serviceDiscovery.consumers[0].securityGroupId is \"0.0.0.0/0\"; allowed: a security group id such as sg-0123456789abcdef0"],
    ["a consumer whose description EC2 refuses", "prod", "    serviceDiscovery: null\n",
      "    serviceDiscovery: { namespace: trading.internal, serviceName: trading-bot, consumers: [ { prefixListId: pl-0a1b2c3d4e5f60718, description: \"ops' VPN\" } ] }\n",
      "Pulumi.prod.yaml: trading-bot:service.serviceDiscovery.consumers[0].description is \"ops' VPN\"; allowed: up to 200 letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* naming who connects"],
    ["a one-label Cloud Map namespace", "prod", "    serviceDiscovery: null\n",
      "    serviceDiscovery: { namespace: internal, serviceName: trading-bot, consumers: [ { prefixListId: pl-0a1b2c3d4e5f60718, description: ops } ] }\n",
      "Pulumi.prod.yaml: trading-bot:service.serviceDiscovery.namespace is \"internal\"; allowed: a private DNS name such as trading.internal"],
    ["a maintenance window that overlaps the backup window", "prod", "maintenanceWindow: sun:05:00-sun:05:30", "maintenanceWindow: sun:04:15-sun:04:45",
      "Pulumi.prod.yaml: trading-bot:database.maintenanceWindow is \"sun:04:15-sun:04:45\"; allowed: a maintenance window apart from the daily backup window 04:00-04:30 (RDS refuses them overlapping)"],
    ["a backup window shorter than 30 minutes", "prod", 'backupWindow: "04:00-04:30"', 'backupWindow: "04:00-04:20"',
      "Pulumi.prod.yaml: trading-bot:database.backupWindow is \"04:00-04:20\"; allowed: hh24:mi-hh24:mi in UTC, at least 30 minutes, e.g. 04:00-04:30"],
    ["a maintenance window without its day", "prod", "maintenanceWindow: sun:05:00-sun:05:30", "maintenanceWindow: 05:00-05:30",
      "Pulumi.prod.yaml: trading-bot:database.maintenanceWindow is \"05:00-05:30\"; allowed: ddd:hh24:mi-ddd:hh24:mi in UTC, 30 minutes to a day, e.g. sun:05:00-sun:05:30"],
    ["an RDS identifier with a double hyphen", "prod", "identifier: trading-bot-prod-db", "identifier: trading--bot",
      "Pulumi.prod.yaml: trading-bot:database.identifier is \"trading--bot\"; allowed: a lower-case letter, then lower-case letters, digits and single hyphens, at most 63 characters, e.g. trading-bot-prod-db"],
    ["a metric math expression naming a metric it does not read", "prod", "expression: desired - running", "expression: desired - runing",
      "Pulumi.prod.yaml: trading-bot:alerts.rules[1].metricMath.expression is \"desired - runing\"; allowed: an expression of desired, running such as desired - running (numbers, + - * / ^, comparisons, upper-case functions); runing is not one of them"],
    ["a metric math expression that leaves a metric unused", "prod", "expression: desired - running", "expression: desired - 3",
      "Pulumi.prod.yaml: trading-bot:alerts.rules[1].metricMath.expression is \"desired - 3\"; allowed: an expression of desired, running such as desired - running (numbers, + - * / ^, comparisons, upper-case functions); running is read but not used"],
    ["a metric math expression with a string (SEARCH)", "prod", "expression: desired - running", "expression: \"SEARCH('{ECS} running', 'Maximum') - desired + running\"",
      "Pulumi.prod.yaml: trading-bot:alerts.rules[1].metricMath.expression is \"SEARCH('{ECS} running', 'Maximum') - desired + running\"; allowed: an expression of desired, running such as desired - running (numbers, + - * / ^, comparisons, upper-case functions)"],
    ["a metric math id CloudWatch refuses, or the expression's own", "prod", "            running: { namespace", "            Running: { namespace",
      "Pulumi.prod.yaml: trading-bot:alerts.rules[1].metricMath.metrics.Running is {\"namespace\":\"ECS/ContainerInsights\",\"name\":\"RunningTaskCount\",\"statistic\":\"Maximum\",\"dimensions\":\"service\"}; allowed: an id of a lower-case letter, then letters, digits and _, e.g. running\n" +
        "Pulumi.prod.yaml: trading-bot:alerts.rules[1].metricMath.expression is \"desired - running\"; allowed: an expression of desired, Running such as desired - Running (numbers, + - * / ^, comparisons, upper-case functions); running is not one of them"],
    ["a rule with both metric and metricMath", "prod", "        metricMath:\n          expression: desired - running\n", "        metric: { namespace: AWS/ECS, name: CPUUtilization, statistic: SampleCount, dimensions: service }\n        metricMath:\n          expression: desired - running\n",
      "Pulumi.prod.yaml: trading-bot:alerts.rules[1].metric is {\"namespace\":\"AWS/ECS\",\"name\":\"CPUUtilization\",\"statistic\":\"SampleCount\",\"dimensions\":\"service\"}; set exactly one of metric, ratio and metricMath"],
    ["a production stack whose environment says development", "prod", "trading-bot:environment: production", "trading-bot:environment: development",
      'Pulumi.prod.yaml: the stack prod has a production name (prod, production) but trading-bot:environment is "development"; allowed: production'],
    ["an image on the latest tag, in any case", "prod", "trading-bot:1.0.0", "trading-bot:LATEST",
      'Pulumi.prod.yaml: trading-bot:app.image is "123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:LATEST"; allowed: an image reference with a tag or digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:1.4.2 (not latest)'],
    ["a production stack that would import data", "prod", "    export: true\n    import: false\n", "    export: true\n    import: true\n    sources: [staging]\n",
      "Pulumi.prod.yaml: trading-bot:dataSync.import is true; allowed: false on a production stack (its name is a production name (prod, production)): data flows from production down, never into it"],
    ["data-sync readers without export", "dev", "      - staging\n", "      - staging\n    readers: [ staging ]\n",
      "Pulumi.dev.yaml: trading-bot:dataSync.readers is [\"staging\"]; readers need export: true"],
    ["an import with no source", "dev", "    sources:\n      - { stack: prod, account: \"111111111111\" }\n      - staging\n", "    sources: []\n",
      "Pulumi.dev.yaml: trading-bot:dataSync.sources is []; import: true needs at least one source stack"],
    ["a data sync that neither exports nor imports", "dev", "    import: true\n", "    import: false\n",
      'Pulumi.dev.yaml: trading-bot:dataSync.export is false; set export or import to true, or leave dataSync out\nPulumi.dev.yaml: trading-bot:dataSync.sources is [{"stack":"prod","account":"111111111111"},"staging"]; sources need import: true'],
    ["a reader that is not a stack name", "prod", "- { stack: staging,", "- { stack: Staging,",
      'Pulumi.prod.yaml: trading-bot:dataSync.readers[1] is {"stack":"Staging","account":"222222222222"}; allowed: a stack name (1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen), or { stack: <name>, account: "<12-digit account id>" } for a stack in another AWS account'],
    ["a reader whose account is a number (YAML drops a leading zero)", "prod", 'account: "222222222222" }\n      - { stack: staging', 'account: 222222222222 }\n      - { stack: staging',
      'Pulumi.prod.yaml: trading-bot:dataSync.readers[0] is {"stack":"dev","account":222222222222}; allowed: a stack name (1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen), or { stack: <name>, account: "<12-digit account id>" } for a stack in another AWS account'],
    ["a source with a key of its own", "dev", 'account: "111111111111" }', 'account: "111111111111", role: admin }',
      'Pulumi.dev.yaml: trading-bot:dataSync.sources[0] is {"stack":"prod","account":"111111111111","role":"admin"}; allowed: a stack name (1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen), or { stack: <name>, account: "<12-digit account id>" } for a stack in another AWS account'],
    ["a production stack without aws:allowedAccountIds", "prod", '  aws:allowedAccountIds: [ "111111111111" ]\n', "",
      'Pulumi.prod.yaml: aws:allowedAccountIds is missing; a production stack names its AWS account (its name is a production name (prod, production)): add aws:allowedAccountIds: ["<12-digit account id>"]'],
    ["a production stack naming two accounts", "prod", 'aws:allowedAccountIds: [ "111111111111" ]', 'aws:allowedAccountIds: [ "111111111111", "222222222222" ]',
      'Pulumi.prod.yaml: aws:allowedAccountIds is ["111111111111","222222222222"]; allowed: exactly one 12-digit account id, quoted, e.g. ["111111111111"]'],
    ["a permissions boundary given as an ARN (the name of the account's policy is asked for)", "prod", "    sharedWithNonProduction: false\n", "    sharedWithNonProduction: false\n    permissionsBoundary: arn:aws:iam::111111111111:policy/x\n",
      'Pulumi.prod.yaml: trading-bot:accounts.permissionsBoundary is "arn:aws:iam::111111111111:policy/x"; allowed: the name of a managed IAM policy of the account, or null'],
    ["a non-production stack saying it shares production's account", "dev", "  trading-bot:environment: development\n", "  trading-bot:environment: development\n  trading-bot:accounts:\n    sharedWithNonProduction: true\n",
      "Pulumi.dev.yaml: trading-bot:accounts.sharedWithNonProduction is true; allowed: false or unset on a non-production stack (a production stack's file says it shares its account)"],
    ["exports kept for a fortnight", "prod", "exportRetentionDays: 1", "exportRetentionDays: 14",
      "Pulumi.prod.yaml: trading-bot:dataSync.exportRetentionDays is 14; allowed: days from 1 to 7"],
    ["a Fargate pair with more memory than the CPU allows", "prod", "memoryMiB: 2048", "memoryMiB: 9216",
      "Pulumi.prod.yaml: trading-bot:service.memoryMiB is 9216; Fargate allows with cpu 1024: 2048, 3072, 4096, 5120, 6144, 7168, 8192"],
    ["a secret recovery window Secrets Manager refuses", "prod", "recoveryWindowDays: 30", "recoveryWindowDays: 3",
      "Pulumi.prod.yaml: trading-bot:secrets.recoveryWindowDays is 3; Secrets Manager allows 0 (delete at once) or 7 to 30"],
    ["a negative budget", "prod", "monthlyUsd: 300", "monthlyUsd: -1",
      "Pulumi.prod.yaml: trading-bot:budget.monthlyUsd is -1; allowed: US dollars a month above 0"],
    ["an image without a tag", "prod", "image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:1.0.0", "image: trading-bot",
      'Pulumi.prod.yaml: trading-bot:app.image is "trading-bot"; allowed: an image reference with a tag or digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:1.4.2'],
    ["a Performance Insights retention RDS refuses", "prod", "performanceInsightsRetentionDays: 7", "performanceInsightsRetentionDays: 30",
      "Pulumi.prod.yaml: trading-bot:database.performanceInsightsRetentionDays is 30; allowed: 0 (off), 7, or a multiple of 31 up to 731"],
    ["storage autoscaling below the allocated storage", "prod", "maxAllocatedStorageGb: 100", "maxAllocatedStorageGb: 10",
      "Pulumi.prod.yaml: trading-bot:database.maxAllocatedStorageGb is 10; allowed: GiB of gp3 from 20 to 65536"],
    ["a symbol Bybit does not spell that way", "prod", "symbol: BTCUSDT", "symbol: btc-usdt",
      'Pulumi.prod.yaml: trading-bot:tradingConfig.strategies[0].symbol is "btc-usdt"; allowed: a Bybit symbol such as BTCUSDT'],
    ["two alert rules with one name", "prod", "      - name: TradingLoss", "      - name: ServiceDown",
      'Pulumi.prod.yaml: trading-bot:alerts.rules[4].name is "ServiceDown"; each rule needs its own name'],
    ["no region", "prod", "  aws:region: us-east-1\n", "",
      "Pulumi.prod.yaml: aws:region is missing; allowed: an AWS region such as us-east-1"],
    ["a rule with neither metric, ratio nor metricMath", "dev", "        metric: { namespace: AWS/ECS, name: MemoryUtilization, statistic: Average, dimensions: service }\n", "",
      "Pulumi.dev.yaml: trading-bot:alerts.rules[1].metric is missing; set exactly one of metric, ratio and metricMath"],
  ];
  for (const [what, stack, from, to, message] of cases) {
    it(`refuses ${what}`, () => rejects(stack, from, to, message));
  }

  it("is documented in docs/configuration.md: every key and every field", () => {
    const page = fs.readFileSync(path.join(repoRoot, "docs", "configuration.md"), "utf8");
    const section = page.slice(page.indexOf("## Stack config reference"), page.indexOf("### The app's own metrics"));
    for (const [key, schema] of Object.entries(stackConfigSchema.shape)) {
      const name = key.replace(/^trading-bot:/, "");
      assert.ok(section.includes(`\`${name}`), key);
      let inner: unknown = schema;
      while (inner && typeof inner === "object" && "unwrap" in inner && typeof inner.unwrap === "function") inner = inner.unwrap();
      const options = inner && typeof inner === "object" && "options" in inner ? (inner.options as { shape: object }[]) : [inner as { shape?: object }];
      for (const option of options) {
        for (const field of Object.keys(option?.shape ?? {})) {
          if (field !== "kind") assert.match(section, new RegExp(`[\`.{ ]${field}[\`,}]`), `${key}.${field}`);
        }
      }
    }
  });

  it("lists every problem of a file, one line each", () => {
    rejects("prod", "cpu: 1024\n    memoryMiB: 2048", "cpu: 300\n    memoryMiB: 2048\n    desiredCont: 2",
      [
        "Pulumi.prod.yaml: trading-bot:service.cpu is 300; Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384",
        "Pulumi.prod.yaml: trading-bot:service.desiredCont is not a setting; trading-bot:service takes cpu, memoryMiB, cpuArchitecture, desiredCount, deploymentMinimumHealthyPercent, deploymentMaximumPercent, deployTimeoutMinutes, capacityProviderStrategy, subnets, assignPublicIp, healthCheck, serviceDiscovery, containerInsights, logRetentionDays",
      ].join("\n"));
  });

  for (const key of ["datadogApiKey", "sentryDsn"]) {
    it(`refuses ${key} stored in plain text, without printing it`, () => {
      const file = withPlaceholderSecrets(parseProgramConfig("prod", committed.prod));
      const config = { ...file.config, [`trading-bot:${key}`]: "plain-monitoring-value" };
      assert.throws(() => parseStackConfig("prod", config, (k) => file.secretKeys.includes(k)), (error: unknown) => {
        assert.ok(error instanceof StackConfigError);
        assert.equal(
          error.message,
          `Pulumi.prod.yaml: trading-bot:${key} is stored in plain text; set it again with: pulumi config set --secret trading-bot:${key} <value> --stack prod`,
        );
        assert.doesNotMatch(error.message, /plain-monitoring-value/);
        return true;
      });
    });
  }

  it("refuses a missing secret, and a secret stored in plain text, without printing its value", () => {
    const file = parseProgramConfig("prod", committed.prod);
    const config = { ...file.config, "trading-bot:bybitApiKey": "live-key-in-plain-text" };
    assert.throws(() => parseStackConfig("prod", config, () => false), (error: unknown) => {
      assert.ok(error instanceof StackConfigError);
      assert.equal(
        error.message,
        [
          "Pulumi.prod.yaml: trading-bot:bybitApiKey is stored in plain text; set it again with: pulumi config set --secret trading-bot:bybitApiKey <value> --stack prod",
          "Pulumi.prod.yaml: trading-bot:bybitSecretKey is missing; set it with: pulumi config set --secret trading-bot:bybitSecretKey <value> --stack prod",
        ].join("\n"),
      );
      assert.doesNotMatch(error.message, /live-key-in-plain-text/);
      return true;
    });
  });

  it("does not print a value that was stored as a secret, even when it is wrong", () => {
    const file = withPlaceholderSecrets(parseProgramConfig("prod", committed.prod));
    const config = { ...file.config, "trading-bot:budget": JSON.stringify({ monthlyUsd: "ninety-nine-secret-dollars" }) };
    const secretKeys = [...file.secretKeys, "trading-bot:budget"];
    assert.throws(() => parseStackConfig("prod", config, (key) => secretKeys.includes(key)), (error: unknown) => {
      assert.ok(error instanceof StackConfigError);
      assert.equal(error.message, "Pulumi.prod.yaml: trading-bot:budget.monthlyUsd is [secret]; allowed: US dollars a month above 0");
      return true;
    });
  });

  it("refuses YAML that does not parse, naming the line", () => {
    assert.throws(() => parseProgramConfig("prod", "config:\n  a: 1\n b: 2\n"), (error: unknown) => {
      assert.ok(error instanceof StackFileError);
      assert.match(error.message, /^Pulumi\.prod\.yaml line 3: not valid YAML: /);
      return true;
    });
  });

  it("shows .nan, .inf and -.inf as written, not as null", () => {
    rejects("prod", "cpu: 1024\n    memoryMiB: 2048", "cpu: .nan\n    memoryMiB: .inf",
      [
        "Pulumi.prod.yaml: trading-bot:service.cpu is .nan; Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384",
        "Pulumi.prod.yaml: trading-bot:service.memoryMiB is .inf; allowed: MiB from 512 to 122880",
      ].join("\n"));
    rejects("prod", "threshold: -10000", "threshold: -.inf", "Pulumi.prod.yaml: trading-bot:alerts.rules[4].threshold is -.inf; allowed: a number");
    rejects("prod", "  trading-bot:environment: production", "  trading-bot:environment: .NaN",
      "Pulumi.prod.yaml: trading-bot:environment is .NaN; allowed: development, staging, production");
  });
});

describe("stack file keys outside the trading-bot namespace", () => {
  const withKeys = (lines: string) => committed.dev.replace("  aws:region: us-east-1\n", `  aws:region: us-east-1\n${lines}`);
  const settingsOfText = (text: string) => {
    const file = withPlaceholderSecrets(parseProgramConfig("dev", text));
    return parseStackConfig("dev", file.config, (key) => file.secretKeys.includes(key));
  };
  const refusesKeys = (lines: string, message: string) =>
    assert.throws(() => settingsOfText(withKeys(lines)), (error: unknown) => {
      assert.ok(error instanceof StackConfigError, String(error));
      assert.equal(error.message, message);
      return true;
    });

  it("lists exactly the aws provider's config keys of the installed @pulumi/aws", () => {
    const declarations = fs.readFileSync(path.join(repoRoot, "node_modules", "@pulumi", "aws", "config", "vars.d.ts"), "utf8");
    const installed = [...declarations.matchAll(/^export declare const (\w+):/gm)].map((match) => match[1]);
    assert.deepEqual([...awsProviderKeys].sort(), installed.sort());
  });

  it("accepts the aws provider's keys, pulumi:tags, and credentials stored as secrets", () => {
    const settings = settingsOfText(
      withKeys(
        [
          "  aws:profile: trading-dev",
          "  aws:assumeRoles:",
          "    - roleArn: arn:aws:iam::123456789012:role/deploy",
          "      externalId:",
          "        secure: v1:ZXh0ZXJuYWwtaWQ=",
          "  aws:skipCredentialsValidation: false",
          "  aws:maxRetries: 5",
          "  aws:accessKey:",
          "    secure: v1:YWNjZXNzLWtleQ==",
          "  aws:secretKey:",
          "    secure: v1:c2VjcmV0LWtleQ==",
          "  aws:token:",
          "    secure: v1:dG9rZW4=",
          "  pulumi:tags:",
          "    team: trading",
          "",
        ].join("\n"),
      ),
    );
    assert.equal(settings.region, "us-east-1");
    const file = parseProgramConfig("dev", withKeys("  aws:assumeRoles:\n    - roleArn: r\n      externalId:\n        secure: v1:ZXh0ZXJuYWwtaWQ=\n"));
    assert.ok(file.secretKeys.includes("aws:assumeRoles"), "a key holding a secure: entry is secret");
    assert.doesNotMatch(file.config["aws:assumeRoles"], /ZXh0ZXJuYWwtaWQ/);
  });

  for (const key of ["accessKey", "secretKey", "token"]) {
    it(`refuses aws:${key} in plain text with the command to store it as a secret, without printing it`, () => {
      refusesKeys(`  aws:${key}: plain-credential-value\n`,
        `Pulumi.dev.yaml: aws:${key} is stored in plain text; set it again with: pulumi config set --secret aws:${key} <value> --stack dev ` +
          "(better: no key in the stack file at all, with OIDC in CI, or aws sso login or aws:profile on a workstation)");
      assert.throws(() => settingsOfText(withKeys(`  aws:${key}: plain-credential-value\n`)), (error: unknown) => !String(error).includes("plain-credential-value"));
    });
  }

  it("refuses an empty aws credential stored as a secret", () => {
    const file = withPlaceholderSecrets(parseProgramConfig("dev", committed.dev));
    const config = { ...file.config, "aws:token": "" };
    assert.throws(() => parseStackConfig("dev", config, (key) => key === "aws:token" || file.secretKeys.includes(key)), (error: unknown) => {
      assert.ok(error instanceof StackConfigError);
      assert.equal(error.message, "Pulumi.dev.yaml: aws:token is empty; set it with: pulumi config set --secret aws:token <value> --stack dev (better: no key in the stack file at all, with OIDC in CI, or aws sso login or aws:profile on a workstation)");
      return true;
    });
  });

  it("refuses an aws key the provider does not have, listing the ones it has", () => {
    refusesKeys("  aws:regoin: us-east-1\n",
      "Pulumi.dev.yaml: aws:regoin is not a setting of the aws provider; it takes aws:accessKey, aws:allowedAccountIds, aws:assumeRoleWithWebIdentity, " +
        "aws:assumeRoles, aws:customCaBundle, aws:defaultTags, aws:ec2MetadataServiceEndpoint, aws:ec2MetadataServiceEndpointMode, aws:endpoints, " +
        "aws:forbiddenAccountIds, aws:httpProxy, aws:httpsProxy, aws:ignoreTags, aws:insecure, aws:maxRetries, aws:noProxy, aws:profile, aws:region, " +
        "aws:retryMode, aws:s3UsEast1RegionalEndpoint, aws:s3UsePathStyle, aws:secretKey, aws:sharedConfigFiles, aws:sharedCredentialsFiles, " +
        "aws:skipCredentialsValidation, aws:skipMetadataApiCheck, aws:skipRegionValidation, aws:skipRequestingAccountId, aws:stsRegion, " +
        "aws:tagPolicyCompliance, aws:token, aws:tokenBucketRateLimiterCapacity, aws:useDualstackEndpoint, aws:useFipsEndpoint, aws:userAgents");
  });

  const allowedNamespaces = "allowed namespaces: trading-bot, aws (the aws provider's settings), pulumi (pulumi:tags only)";
  const projectKeys = "aws:region, trading-bot:environment, trading-bot:budget, trading-bot:network, trading-bot:app, trading-bot:service, trading-bot:database, trading-bot:cache, trading-bot:secrets, trading-bot:configBucket, trading-bot:alerts, trading-bot:dashboard, trading-bot:tradingConfig, trading-bot:dataSync, trading-bot:accounts";
  const unknown: [string, string, string][] = [
    ["a misspelt aws namespace", "  awz:region: us-east-1\n", `Pulumi.dev.yaml: awz:region is in the namespace awz, which nothing in this project reads; ${allowedNamespaces}`],
    ["the project name with an underscore", "  trading_bot:app: {}\n", `Pulumi.dev.yaml: trading_bot:app is in the namespace trading_bot, which nothing in this project reads; ${allowedNamespaces}`],
    ["another provider's namespace", "  gcp:project: acme\n", `Pulumi.dev.yaml: gcp:project is in the namespace gcp, which nothing in this project reads; ${allowedNamespaces}`],
    // Pulumi gives a key without a namespace the project's: region is trading-bot:region.
    ["a key with no namespace", "  region: us-east-1\n", `Pulumi.dev.yaml: trading-bot:region is not a setting; the trading-bot namespace takes ${projectKeys}`],
    ["a key named __proto__ (an object's prototype, were it assigned)", "  __proto__: x\n",
      `Pulumi.dev.yaml: trading-bot:__proto__ is not a setting; the trading-bot namespace takes ${projectKeys}`],
    ["a pulumi: key other than pulumi:tags", "  pulumi:x: 1\n", "Pulumi.dev.yaml: pulumi:x is not allowed: of the pulumi namespace a stack file of this project may hold pulumi:tags only"],
    ["pulumi:disable-default-providers", "  pulumi:disable-default-providers: [aws]\n",
      "Pulumi.dev.yaml: pulumi:disable-default-providers is not allowed: of the pulumi namespace a stack file of this project may hold pulumi:tags only"],
  ];
  for (const [what, lines, message] of unknown) {
    it(`refuses ${what}`, () => refusesKeys(lines, message));
  }
});

describe("reading a stack file", () => {
  const refusesFile = (text: string, message: string) =>
    assert.throws(() => parseProgramConfig("dev", text), (error: unknown) => {
      assert.ok(error instanceof StackFileError, String(error));
      assert.equal(error.message, message);
      return true;
    });
  const ciphertext = "v1:Y2lwaGVydGV4dC10aGF0LW11c3Qtbm90LWJlLXByaW50ZWQ=";

  const badSecure: [string, string, string][] = [
    ["an empty string", 'secure: ""', "trading-bot:bybitApiKey"],
    ["a number", "secure: 1", "trading-bot:bybitApiKey"],
    ["a mapping", "secure: {}", "trading-bot:bybitApiKey"],
    ["nothing", "secure:", "trading-bot:bybitApiKey"],
    ["something beside the ciphertext", `secure: ${ciphertext}\n    note: ${ciphertext}`, "trading-bot:bybitApiKey"],
  ];
  for (const [what, entry, key] of badSecure) {
    it(`refuses a secure: entry holding ${what}, naming the key and nothing of the value`, () => {
      refusesFile(`config:\n  ${key}:\n    ${entry}\n`,
        `Pulumi.dev.yaml: ${key} has a secure: entry that is not one non-empty string of ciphertext; set it again with: pulumi config set --secret ${key} <value> --stack dev`);
    });
  }

  it("refuses a bad secure: entry inside a structured value, naming its path", () => {
    refusesFile("config:\n  aws:assumeRoles:\n    - roleArn: r\n      externalId:\n        secure: 7\n",
      "Pulumi.dev.yaml: aws:assumeRoles[0].externalId has a secure: entry that is not one non-empty string of ciphertext; set it again with: pulumi config set --secret --path 'aws:assumeRoles[0].externalId' <value> --stack dev");
  });

  it("refuses an alias bomb without expanding it, and accepts a few aliases", () => {
    const levels = ["a", "b", "c", "d", "e", "f", "g"];
    const bomb = ["config:", "  trading-bot:x:", "    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    levels.slice(1).forEach((name, index) => bomb.push(`    ${name}: &${name} [${Array(9).fill(`*${levels[index]}`).join(", ")}]`));
    refusesFile(bomb.join("\n"), 'Pulumi.dev.yaml: its YAML aliases expand beyond 100 (an alias bomb, "billion laughs"): write the values out');
    const file = parseProgramConfig("dev", "config:\n  trading-bot:a: &tags {team: trading}\n  trading-bot:b: *tags\n");
    assert.equal(file.config["trading-bot:b"], '{"team":"trading"}');
  });

  it("refuses a stack file over 1 MiB, before parsing it", () => {
    refusesFile(`config: {}\n#${"x".repeat(1024 * 1024)}\n`, "Pulumi.dev.yaml is 1.0 MiB; a stack file may hold at most 1 MiB");
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
    fs.writeFileSync(path.join(folder, "Pulumi.dev.yaml"), `config: {}\n#${"x".repeat(3 * 1024 * 1024)}\n`);
    assert.throws(() => readProgramConfig(folder, "dev"), { message: "Pulumi.dev.yaml is 3.0 MiB; a stack file may hold at most 1 MiB" });
    fs.rmSync(path.join(folder, "Pulumi.dev.yaml"));
    fs.mkdirSync(path.join(folder, "Pulumi.dev.yaml"));
    assert.throws(() => readProgramConfig(folder, "dev"), { message: "Pulumi.dev.yaml is not a regular file" });
  });
});

describe("stack config errors from the program", () => {
  it("stops the program with a RunError (no stack trace) listing the bad keys", async () => {
    await assert.rejects(runStackText("prod", committed.prod.replace("cpu: 1024", "cpu: 300")), (error: unknown) => {
      assert.ok(error instanceof pulumi.RunError);
      assert.equal(error.message, "Pulumi.prod.yaml: trading-bot:service.cpu is 300; Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384");
      return true;
    });
  });
});
