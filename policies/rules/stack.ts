// Production invariants that need the whole stack to judge.
import type { PolicyResource } from "@pulumi/policy";
import { StackRule, containersOf } from "../rule";

const SERVICE = "aws:ecs/service:Service";
const CLUSTER = "aws:ecs/cluster:Cluster";
const CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders";

export const defaultStrategyNotSpot: StackRule = {
  kind: "stack",
  name: "ecs-service-default-strategy-not-spot",
  description: "A production service without its own strategy does not fall back to a Spot cluster default",
  scope: "production",
  enforcementLevel: "mandatory",
  resource: `${SERVICE} with ${CAPACITY}`,
  property: "launchType, capacityProviderStrategies; the cluster's defaultCapacityProviderStrategies",
  required: "no FARGATE_SPOT reached through the cluster default",
  anchors: [],
  check(resources) {
    const clusters = resources.filter((r) => r.type === CLUSTER);
    const defaults = resources.filter((r) => r.type === CAPACITY);
    return resources
      .filter((r) => r.type === SERVICE && !r.props.launchType && (r.props.capacityProviderStrategies ?? []).length === 0)
      .flatMap((service) => {
        const cluster = clusters.find((c) => sameCluster(service, c));
        const capacity = cluster && defaults.find((d) => providesFor(d, cluster));
        const strategy: { capacityProvider: string }[] = capacity?.props.defaultCapacityProviderStrategies ?? [];
        if (!strategy.some((item) => item.capacityProvider === "FARGATE_SPOT")) return [];
        return [{
          urn: service.urn,
          message: "the service sets neither launchType nor capacityProviderStrategies, and its cluster's default strategy includes FARGATE_SPOT",
        }];
      });
  },
};

/** Is `service` on `cluster`? By recorded dependency first, else by ARN, name or id. */
function sameCluster(service: PolicyResource, cluster: PolicyResource): boolean {
  if ((service.propertyDependencies?.cluster ?? []).some((d) => d.urn === cluster.urn)) return true;
  return [cluster.props.arn, cluster.props.name, cluster.props.id].includes(service.props.cluster);
}

function providesFor(capacity: PolicyResource, cluster: PolicyResource): boolean {
  if ((capacity.propertyDependencies?.clusterName ?? []).some((d) => d.urn === cluster.urn)) return true;
  return capacity.props.clusterName === cluster.props.name;
}

const standInComponents = ["trading-bot:infra:SqliteVolume", "trading-bot:infra:LocalRedis"];

export const noDevStandIns: StackRule = {
  kind: "stack",
  name: "no-dev-stand-ins",
  description: "A production stack uses RDS and ElastiCache, not the SQLite volume or a Redis sidecar",
  scope: "production",
  enforcementLevel: "mandatory",
  resource: "stack: SqliteVolume and LocalRedis components, task definition containers",
  property: "resource types; containerDefinitions[].image",
  required: "none present",
  anchors: [],
  check(resources) {
    const components = resources
      .filter((r) => standInComponents.includes(r.type))
      .map((r) => ({ urn: r.urn, message: `${r.type.split(":").pop()} ${r.name} is a dev stand-in; production uses ${r.type.endsWith("SqliteVolume") ? "PostgresDatabase" : "RedisCluster"}` }));
    const sidecars = resources
      .filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")
      .flatMap((task) => {
        const containers = containersOf(task.props);
        if (typeof containers === "string") return [];
        return containers
          .filter((c) => /(^|\/)(redis|valkey)(:|@|$)/.test(c.image ?? ""))
          .map((c) => ({ urn: task.urn, message: `container ${c.name} runs ${c.image} in the task: a dev stand-in; production uses RedisCluster` }));
      });
    return [...components, ...sidecars];
  },
};
