// Production invariants of the ECS service: it keeps running through deployments and
// failures, on capacity that cannot be reclaimed, unreachable from the internet.
import { isTrue, productionRule } from "../rule";

export const SERVICE = "aws:ecs/service:Service";

export const minimumHealthyPercent = productionRule(SERVICE, {
  name: "ecs-service-minimum-healthy-percent",
  description: "A production service keeps at least half its tasks running through a deployment",
  reads: ["deploymentMinimumHealthyPercent"],
  required: ">= 50 (unset means AWS's 100)",
  anchors: [],
  config: { minimumHealthyPercent: { type: "integer", default: 50, minimum: 0, maximum: 100 } },
  check(props, { config }) {
    const value = props.deploymentMinimumHealthyPercent;
    if (value === undefined || value >= config.minimumHealthyPercent) return [];
    return [`deploymentMinimumHealthyPercent is ${value}; production keeps at least ${config.minimumHealthyPercent} % of its tasks running through a deployment`];
  },
});

export const maximumPercent = productionRule(SERVICE, {
  name: "ecs-service-maximum-percent",
  description: "A production deployment may start new tasks before stopping old ones",
  reads: ["deploymentMaximumPercent"],
  required: ">= 100 (unset means AWS's 200)",
  anchors: [],
  check(props) {
    const value = props.deploymentMaximumPercent;
    if (value === undefined || value >= 100) return [];
    return [`deploymentMaximumPercent is ${value}; it must be at least 100`];
  },
});

export const circuitBreaker = productionRule(SERVICE, {
  name: "ecs-service-circuit-breaker",
  description: "A failed production deployment stops and rolls back by itself",
  reads: ["deploymentCircuitBreaker.enable", "deploymentCircuitBreaker.rollback"],
  required: "{ enable: true, rollback: true }",
  anchors: [],
  check(props) {
    const breaker = props.deploymentCircuitBreaker;
    if (breaker && isTrue(breaker.enable) && isTrue(breaker.rollback)) return [];
    return ["deploymentCircuitBreaker must be enabled with rollback, so a failed deployment rolls back by itself"];
  },
});

export const desiredCount = productionRule(SERVICE, {
  name: "ecs-service-desired-count",
  description: "A production service runs more than one task",
  reads: ["desiredCount"],
  required: ">= 2",
  anchors: [],
  config: { minimumTasks: { type: "integer", default: 2, minimum: 1 } },
  check(props, { config }) {
    const value = props.desiredCount;
    if (typeof value === "number" && value >= config.minimumTasks) return [];
    return [`desiredCount is ${value ?? "unset"}; production runs at least ${config.minimumTasks} tasks`];
  },
});

export const noFargateSpot = productionRule(SERVICE, {
  name: "ecs-service-no-fargate-spot",
  description: "A production service never runs on Fargate Spot",
  reads: ["capacityProviderStrategies[].capacityProvider"],
  required: "no FARGATE_SPOT",
  anchors: [],
  check(props) {
    // Stryker disable next-line ArrayDeclaration: a stand-in element is no strategy item, so it is never FARGATE_SPOT
    const strategy: { capacityProvider: string }[] = props.capacityProviderStrategies ?? [];
    if (!strategy.some((item) => item.capacityProvider === "FARGATE_SPOT")) return [];
    return ["capacityProviderStrategies includes FARGATE_SPOT; Spot tasks can be reclaimed at two minutes' notice"];
  },
});

export const noPublicIp = productionRule(SERVICE, {
  name: "ecs-service-no-public-ip",
  description: "Production tasks get no public IP address",
  reads: ["networkConfiguration.assignPublicIp"],
  required: "false or unset",
  anchors: ["Checkov CKV_AWS_333"],
  check(props) {
    if (!isTrue(props.networkConfiguration?.assignPublicIp)) return [];
    return ["networkConfiguration.assignPublicIp is true; production tasks run in private subnets without public IPs"];
  },
});
