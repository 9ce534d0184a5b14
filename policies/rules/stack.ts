// Production invariants that need the whole stack to judge.
import { TASK, botContainerConfig, containersOf } from "../containers";
import { refersTo } from "../references";
import { StackRule } from "../rule";
import { SERVICE } from "./ecsService";

const CLUSTER = "aws:ecs/cluster:Cluster";
const CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders";

export const defaultStrategyNotSpot: StackRule = {
  kind: "stack",
  name: "ecs-service-default-strategy-not-spot",
  description: "A production service without its own strategy does not fall back to a Spot cluster default",
  scope: "production",
  enforcementLevel: "mandatory",
  reads: {
    [SERVICE]: ["launchType", "capacityProviderStrategies", "cluster"],
    [CLUSTER]: ["arn", "name", "id"],
    [CAPACITY]: ["clusterName", "defaultCapacityProviderStrategies[].capacityProvider"],
  },
  required: "no FARGATE_SPOT reached through the cluster default",
  anchors: [],
  check(resources) {
    const clusters = resources.filter((r) => r.type === CLUSTER);
    const defaults = resources.filter((r) => r.type === CAPACITY);
    return resources
      .filter((r) => r.type === SERVICE && !r.props.launchType && (r.props.capacityProviderStrategies ?? []).length === 0)
      .flatMap((service) => {
        // Is the service on the cluster, and does the capacity provider set serve it?
        const cluster = clusters.find((c) => refersTo(service, "cluster", c, ["arn", "name", "id"]));
        const capacity = cluster && defaults.find((d) => refersTo(d, "clusterName", cluster, ["name"]));
        // Stryker disable next-line ArrayDeclaration: a stand-in element is no strategy item, so it is never FARGATE_SPOT
        const strategy: { capacityProvider: string }[] = capacity?.props.defaultCapacityProviderStrategies ?? [];
        if (!strategy.some((item) => item.capacityProvider === "FARGATE_SPOT")) return [];
        return [{
          urn: service.urn,
          message: "the service sets neither launchType nor capacityProviderStrategies, and its cluster's default strategy includes FARGATE_SPOT",
        }];
      });
  },
};

/** A redis or valkey image, by repository name: a cache run as a sidecar. */
// Stryker disable next-line StringLiteral: a container without an image names no redis image, whatever text stands in for it
const isCacheImage = (image: string | undefined) => /(^|\/)(redis|valkey)(:|@|$)/.test(image ?? "");

const SQLITE_VOLUME = "trading-bot:infra:SqliteVolume";
const LOCAL_REDIS = "trading-bot:infra:LocalRedis";

export const noDevStandIns: StackRule = {
  kind: "stack",
  name: "no-dev-stand-ins",
  description: "A production stack uses RDS and ElastiCache, not the SQLite volume or a Redis sidecar",
  scope: "production",
  enforcementLevel: "mandatory",
  reads: {
    [SQLITE_VOLUME]: [],
    [LOCAL_REDIS]: [],
    [TASK]: ["containerDefinitions[].name", "containerDefinitions[].image"],
  },
  required: "no SqliteVolume or LocalRedis component, no redis or valkey container",
  anchors: [],
  check(resources) {
    const components = resources
      .filter((r) => r.type === SQLITE_VOLUME || r.type === LOCAL_REDIS)
      .map((r) => ({ urn: r.urn, message: `${r.type.split(":").pop()} ${r.name} is a dev stand-in; production uses ${r.type === SQLITE_VOLUME ? "PostgresDatabase" : "RedisCluster"}` }));
    const sidecars = resources
      .filter((r) => r.type === TASK)
      .flatMap((task) => {
        const containers = containersOf(task.props);
        if (typeof containers === "string") return [];
        return containers
          .filter((c) => isCacheImage(c.image))
          .map((c) => ({ urn: task.urn, message: `container ${c.name} runs ${c.image} in the task: a dev stand-in; production uses RedisCluster` }));
      });
    return [...components, ...sidecars];
  },
};

export const serviceRunsBot: StackRule = {
  kind: "stack",
  name: "ecs-service-runs-bot",
  description: "Every production service runs a task definition holding the bot's container, so the bot's rules judge what runs",
  scope: "production",
  enforcementLevel: "mandatory",
  reads: {
    [SERVICE]: ["taskDefinition"],
    [TASK]: ["arn", "containerDefinitions[].name"],
  },
  required: "a container named botContainerName in the service's task definition",
  anchors: [],
  config: botContainerConfig,
  // The bot's rules skip a task definition without the bot (the data-sync task): without
  // this rule, renaming the bot's container would skip them all.
  check(resources, { config }) {
    const tasks = resources.filter((r) => r.type === TASK);
    return resources
      .filter((r) => r.type === SERVICE)
      .flatMap((service) => {
        const task = tasks.find((t) => refersTo(service, "taskDefinition", t, ["arn"]));
        if (!task) return [{ urn: service.urn, message: "the service's task definition is not in this stack; the bot's rules cannot judge it" }];
        const containers = containersOf(task.props);
        if (typeof containers === "string" || containers.some((c) => c.name === config.botContainerName)) return [];
        return [{
          urn: service.urn,
          message: `the service runs ${task.name}, which has no container named ${config.botContainerName} (botContainerName): the bot's rules judged none of its containers`,
        }];
      });
  },
};
