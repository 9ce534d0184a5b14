// In-process tests of the whole-stack rules: the cluster's default strategy and the dev
// stand-ins.
import * as stack from "../../policies/rules/stack";
import { botWith, describeStackRule, resource, taskWith, unknown, urnOf } from "./harness";

const SERVICE = "aws:ecs/service:Service";
const CLUSTER = "aws:ecs/cluster:Cluster";
const CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";

const clusterArn = "arn:aws:ecs:us-east-1:123456789012:cluster/trading-bot";
const cluster = resource(CLUSTER, "cluster", { arn: clusterArn, name: "trading-bot", id: "trading-bot" });
const spotDefault = (clusterName: string, dependsOnCluster = false) =>
  resource(CAPACITY, "capacity", { clusterName, defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] },
    dependsOnCluster ? { clusterName: [cluster.urn] } : undefined);
const fargateDefault = resource(CAPACITY, "capacity", { clusterName: "trading-bot", defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1 }] });
const service = (props: Record<string, unknown>, dependencies?: Record<string, string[]>) => resource(SERVICE, "service", props, dependencies);
const fallsBack = [{
  urn: urnOf(SERVICE, "service"),
  message: "the service sets neither launchType nor capacityProviderStrategies, and its cluster's default strategy includes FARGATE_SPOT",
}];

describe("whole-stack rules, in-process", () => {
  describeStackRule(stack.defaultStrategyNotSpot, {
    cases: [
      { what: "a service with its own FARGATE strategy on a Spot-default cluster",
        resources: [service({ cluster: clusterArn, capacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1 }] }), cluster, spotDefault("trading-bot")], expect: [] },
      { what: "a service with launchType FARGATE on a Spot-default cluster", resources: [service({ cluster: clusterArn, launchType: "FARGATE" }), cluster, spotDefault("trading-bot")], expect: [] },
      { what: "a service without a strategy on a FARGATE-default cluster", resources: [service({ cluster: clusterArn }), cluster, fargateDefault], expect: [] },
      { what: "a service without a strategy on a cluster without defaults", resources: [service({ cluster: clusterArn }), cluster], expect: [] },
      { what: "a Spot default on another cluster", resources: [service({ cluster: clusterArn }), cluster, spotDefault("another-cluster")], expect: [] },
      { what: "a service without a strategy on a Spot-default cluster (by ARN)", resources: [service({ cluster: clusterArn }), cluster, spotDefault("trading-bot")], expect: fallsBack },
      { what: "... with an empty strategy list, the cluster named by name", resources: [service({ cluster: "trading-bot", capacityProviderStrategies: [] }), cluster, spotDefault("trading-bot")],
        expect: fallsBack },
      { what: "... tied by recorded dependencies while the ARN and name are unknown at preview",
        resources: [service({ cluster: unknown }, { cluster: [cluster.urn] }), resource(CLUSTER, "cluster", { arn: unknown, name: unknown }), spotDefault(unknown, true)],
        expect: fallsBack },
    ],
    unknown: [
      { resources: [service({ cluster: clusterArn }), cluster, spotDefault("trading-bot")], name: "service", path: "launchType" },
      { resources: [service({ cluster: clusterArn }), cluster, spotDefault("trading-bot")], name: "service", path: "capacityProviderStrategies" },
      { resources: [service({ cluster: clusterArn }), cluster, spotDefault("trading-bot")], name: "service", path: "cluster" },
      { what: "no recorded dependency to decide", resources: [service({ cluster: clusterArn }), cluster, spotDefault("trading-bot")], name: "cluster", path: "arn" },
      { resources: [service({ cluster: "trading-bot" }), resource(CLUSTER, "cluster", { name: "trading-bot", id: "trading-bot" }), spotDefault("trading-bot")], name: "cluster", path: "name" },
      { resources: [service({ cluster: "cluster-id" }), resource(CLUSTER, "cluster", { arn: clusterArn, name: "trading-bot", id: "cluster-id" }), spotDefault("trading-bot")], name: "cluster", path: "id" },
      { resources: [service({ cluster: clusterArn }), cluster, spotDefault("trading-bot")], name: "capacity", path: "clusterName" },
      { resources: [service({ cluster: clusterArn }), cluster, spotDefault("trading-bot")], name: "capacity", path: "defaultCapacityProviderStrategies" },
    ],
  });

  const bot = botWith({ ENVIRONMENT: "production" });
  const task = (...containers: Record<string, unknown>[]) => resource(TASK, "task", taskWith(...containers));
  const sidecar = (image: string) => ({ name: "cache", image });
  const standIn = (image: string) => [{ urn: urnOf(TASK, "task"), message: `container cache runs ${image} in the task: a dev stand-in; production uses RedisCluster` }];
  describeStackRule(stack.noDevStandIns, {
    cases: [
      { what: "the bot alone, with RDS and ElastiCache components", resources: [task(bot), resource("trading-bot:infra:PostgresDatabase", "db", {}), resource("trading-bot:infra:RedisCluster", "cache", {})],
        expect: [] },
      { what: "a container whose image merely mentions redis", resources: [task(bot, sidecar("example.com/redis-exporter:1.0"))], expect: [] },
      { what: "containerDefinitions that do not parse (the container rules report them)", resources: [resource(TASK, "task", { containerDefinitions: "[{" })], expect: [] },
      { what: "a SqliteVolume component", resources: [task(bot), resource("trading-bot:infra:SqliteVolume", "db", {})],
        expect: [{ urn: urnOf("trading-bot:infra:SqliteVolume", "db"), message: "SqliteVolume db is a dev stand-in; production uses PostgresDatabase" }] },
      { what: "a LocalRedis component", resources: [task(bot), resource("trading-bot:infra:LocalRedis", "cache", {})],
        expect: [{ urn: urnOf("trading-bot:infra:LocalRedis", "cache"), message: "LocalRedis cache is a dev stand-in; production uses RedisCluster" }] },
      ...["redis", "redis:7.4-alpine", "public.ecr.aws/docker/library/redis:7.4-alpine", "valkey/valkey:8", `redis@sha256:${"a".repeat(64)}`].map((image) => ({
        what: `a ${image} sidecar`, resources: [task(bot, sidecar(image))], expect: standIn(image),
      })),
    ],
    unknown: [{ resources: [task(bot)], name: "task", path: "containerDefinitions" }],
  });

  const taskArn = "arn:aws:ecs:us-east-1:123456789012:task-definition/trading-bot-prod:1";
  const botTask = (...containers: Record<string, unknown>[]) => resource(TASK, "task", { arn: taskArn, ...taskWith(...containers) });
  const runs = (props: Record<string, unknown> = { taskDefinition: taskArn }, dependencies?: Record<string, string[]>) => resource(SERVICE, "service", props, dependencies);
  const noBot = (name: string) => [{
    urn: urnOf(SERVICE, "service"),
    message: `the service runs task, which has no container named ${name} (botContainerName): the bot's rules judged none of its containers`,
  }];
  describeStackRule(stack.serviceRunsBot, {
    cases: [
      { what: "the service's task holds the bot", resources: [runs(), botTask(bot)], expect: [] },
      { what: "the bot beside another task without it (the data sync)", resources: [runs(), botTask(bot), resource(TASK, "sync", { arn: "arn:sync", ...taskWith({ name: "data-sync", image: "db@sha256:" + "b".repeat(64) }) })],
        expect: [] },
      { what: "the bot beside a sidecar in its task", resources: [runs(), botTask(bot, { name: "log-router", image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4" })], expect: [] },
      { what: "the bot's container renamed", resources: [runs(), botTask({ ...bot, name: "app" })], expect: noBot("trading-bot") },
      { what: "the bot's container renamed and configured so", resources: [runs(), botTask({ ...bot, name: "app" })], config: { botContainerName: "app" }, expect: [] },
      { what: "tied by recorded dependency while the ARN is unknown at preview", resources: [runs({ taskDefinition: unknown }, { taskDefinition: [urnOf(TASK, "task")] }), resource(TASK, "task", { arn: unknown, ...taskWith({ ...bot, name: "app" }) })],
        expect: noBot("trading-bot") },
      { what: "a task definition from elsewhere", resources: [runs({ taskDefinition: "arn:other" }), botTask(bot)],
        expect: [{ urn: urnOf(SERVICE, "service"), message: "the service's task definition is not in this stack; the bot's rules cannot judge it" }] },
    ],
    unknown: [
      { resources: [runs(), botTask(bot)], name: "service", path: "taskDefinition" },
      { what: "no recorded dependency to decide", resources: [runs(), botTask(bot)], name: "task", path: "arn" },
      { resources: [runs(), botTask({ ...bot, name: "app" })], name: "task", path: "containerDefinitions" },
    ],
  });
});
