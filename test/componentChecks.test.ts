// What the committed stacks do not reach in the components: the data sync's argument checks,
// service discovery, Performance Insights turned off, several config objects, a consumer let
// in by prefix list. Each builds one component under mocks (cheap beside a whole stack) and
// asserts the resources it records or the exact refusal.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigBucket } from "../infra/configBucket";
import { DataSync, DataSyncArgs } from "../infra/dataSync";
import { admitConsumer } from "../infra/placement";
import { PostgresDatabase, PostgresDatabaseArgs } from "../infra/postgresDatabase";
import { TradingBotService, TradingBotServiceArgs } from "../infra/tradingBotService";
import { runUnderMocks } from "../tools/engine/mockRun";
import type { MockRunResult } from "../tools/engine/resource";
import { unitDatabaseArgs, unitServiceArgs } from "./helpers";

const unitStack = { stack: "unit", config: {}, secretKeys: [] };
const build = (create: () => unknown): Promise<MockRunResult> =>
  runUnderMocks(unitStack, async () => {
    create();
    return {};
  });
async function errorOf(create: () => unknown): Promise<string> {
  try {
    await build(create);
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
}
const inputsOf = (run: MockRunResult, type: string) => run.resources.filter((resource) => resource.type === type).map((resource) => resource.inputs);

const dataSync: DataSyncArgs = {
  subnetIds: ["subnet-1"],
  securityGroupId: "sg-1",
  assignPublicIp: false,
  family: "trading-bot-unit-data-sync",
  image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot-db:1.0.0",
  region: "us-east-1",
  logRetentionDays: 7,
  environment: { DATA_SYNC_STACK: "unit" },
  export: { bucketName: "trading-bot-data-123456789012-unit", accountId: "123456789012", retentionDays: 7, readers: [] },
  attachments: [],
};

describe("component paths the committed stacks do not take", () => {
  const refusals: [what: string, args: DataSyncArgs, message: string][] = [
    ["neither export nor import", { ...dataSync, export: undefined }, 'DataSync d: set "export", "import" or both'],
    ["an import from no source", { ...dataSync, import: { roleName: "trading-bot-unit-data-import", sources: [] } }, "DataSync d: import.sources is []; allowed: at least one source bucket"],
    ["exports kept 8 days", { ...dataSync, export: { ...dataSync.export!, retentionDays: 8 } }, "DataSync d: export.retentionDays is 8; allowed: days from 1 to 7"],
    ["an image without a tag", { ...dataSync, image: "trading-bot-db" }, 'DataSync d: image is "trading-bot-db"; allowed: an image reference with a tag or digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:1.4.2'],
    ["300 CPU units", { ...dataSync, cpu: 300 }, "DataSync d: cpu is 300; Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384"],
    ["memory CPU cannot have", { ...dataSync, cpu: 256, memoryMiB: 4096 }, "DataSync d: memoryMiB is 4096; Fargate allows with cpu 256: 512, 1024, 2048"],
    ["memory the default CPU cannot have", { ...dataSync, memoryMiB: 256 }, "DataSync d: memoryMiB is 256; Fargate allows with cpu 512: 1024, 2048, 3072, 4096"],
    ["10-day logs", { ...dataSync, logRetentionDays: 10 }, "DataSync d: logRetentionDays is 10; CloudWatch Logs allows 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"],
  ];
  for (const [what, args, message] of refusals) {
    it(`DataSync refuses ${what}`, async () => assert.equal(await errorOf(() => new DataSync("d", args)), message));
  }

  it("DataSync grants an import role only the sources' buckets, each in its account, and refuses others nothing else", async () => {
    const run = await build(() => new DataSync("d", { ...dataSync, export: undefined, import: { roleName: "trading-bot-unit-data-import", sources: [{ bucketName: "b-2", accountId: "222222222222" }, { bucketName: "b-1", accountId: "111111111111" }] } }));
    const task = inputsOf(run, "aws:ecs/taskDefinition:TaskDefinition")[0];
    const environment = JSON.parse(String(task.containerDefinitions))[0].environment as { name: string; value: string }[];
    assert.deepEqual(environment.find((variable) => variable.name === "DATA_SYNC_BUCKET_OWNERS"), { name: "DATA_SYNC_BUCKET_OWNERS", value: JSON.stringify({ "b-1": "111111111111", "b-2": "222222222222" }) });
    assert.deepEqual(inputsOf(run, "aws:s3/bucket:Bucket"), [], "no exports bucket without export");
  });

  it("DataSync accepts exports kept 1 day", async () => {
    assert.equal(await errorOf(() => new DataSync("d", { ...dataSync, export: { ...dataSync.export!, retentionDays: 1 } })), "no error");
  });
});

describe("component options the committed stacks leave at one value", () => {
  const postgres: PostgresDatabaseArgs = {
    ...unitDatabaseArgs,
    multiAz: false,
    maxAllocatedStorageGb: 20,
    deletionProtection: false,
    performanceInsightsRetentionDays: 0,
  };

  it("PostgresDatabase turns Performance Insights off, with no retention, at 0 days", async () => {
    const [instance] = inputsOf(await build(() => new PostgresDatabase("d", postgres)), "aws:rds/instance:Instance");
    assert.equal(instance.performanceInsightsEnabled, false);
    assert.equal(instance.performanceInsightsRetentionPeriod, undefined);
  });

  const service: TradingBotServiceArgs = { ...unitServiceArgs, subnetIds: ["subnet-1"] };

  it("TradingBotService registers each task in a private DNS namespace when asked, and runs on x86-64 unless told", async () => {
    const run = await build(() => new TradingBotService("t", { ...service, serviceDiscovery: { namespace: "trading.internal", serviceName: "bot" } }));
    assert.deepEqual(inputsOf(run, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace"), [{ name: "trading.internal", vpc: "vpc-1", description: "Trading bot service discovery" }]);
    const [discovery] = inputsOf(run, "aws:servicediscovery/service:Service");
    assert.deepEqual(discovery, {
      name: "bot",
      dnsConfig: { namespaceId: "t-namespace-id", routingPolicy: "MULTIVALUE", dnsRecords: [{ type: "A", ttl: 10 }] },
      healthCheckCustomConfig: { failureThreshold: 1 },
    });
    const [ecsService] = inputsOf(run, "aws:ecs/service:Service");
    assert.deepEqual(ecsService.serviceRegistries, { registryArn: "arn:aws:servicediscovery:us-east-1:123456789012:Service/t-discovery" });
    const [task] = inputsOf(run, "aws:ecs/taskDefinition:TaskDefinition");
    assert.deepEqual(task.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" });
    const withoutDiscovery = await build(() => new TradingBotService("t", { ...service, cpuArchitecture: "ARM64" }));
    assert.deepEqual(inputsOf(withoutDiscovery, "aws:servicediscovery/service:Service"), []);
    assert.equal(inputsOf(withoutDiscovery, "aws:ecs/service:Service")[0].serviceRegistries, undefined);
    assert.deepEqual(inputsOf(withoutDiscovery, "aws:ecs/taskDefinition:TaskDefinition")[0].runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
  });

  it("ConfigBucket uploads its objects in key order, each named after its key", async () => {
    const run = await build(() => new ConfigBucket("b", { bucketPrefix: "trading-config-unit-", region: "us-east-1", forceDestroy: false, jsonObjects: { "z.json": { z: 1 }, "a/_b.json": {}, "m.json": [] } }));
    const objects = run.resources.filter((resource) => resource.type === "aws:s3/bucketObjectv2:BucketObjectv2");
    assert.deepEqual(objects.map((object) => [object.name, object.inputs.key]), [["b-a-b-json", "a/_b.json"], ["b-m-json", "m.json"], ["b-z-json", "z.json"]]);
  });

  it("admits a consumer by prefix list when it has no security group", async () => {
    const run = await build(() => {
      const server = { securityGroupId: pulumi.output("sg-db"), port: 5432, protocolName: "PostgreSQL" };
      admitConsumer("by-list", server, { prefixListId: "pl-1", description: "the office" });
      admitConsumer("by-group", server, { securityGroupId: "sg-app", prefixListId: "pl-ignored", description: "the app" });
    });
    assert.deepEqual(inputsOf(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), [
      { securityGroupId: "sg-db", prefixListId: "pl-1", ipProtocol: "tcp", fromPort: 5432, toPort: 5432, description: "PostgreSQL from the office" },
      { securityGroupId: "sg-db", referencedSecurityGroupId: "sg-app", ipProtocol: "tcp", fromPort: 5432, toPort: 5432, description: "PostgreSQL from the app" },
    ]);
  });
});
