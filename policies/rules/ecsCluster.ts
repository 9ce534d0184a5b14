import { ResourceRule } from "../rule";

const CLUSTER = "aws:ecs/cluster:Cluster";

export const containerInsights: ResourceRule = {
  kind: "resource",
  name: "ecs-cluster-container-insights",
  description: "The production cluster has Container Insights on",
  scope: "production",
  enforcementLevel: "mandatory",
  resource: CLUSTER,
  types: [CLUSTER],
  property: "settings[containerInsights].value",
  required: "enabled or enhanced",
  anchors: ["cdk-nag AwsSolutions-ECS4", "Checkov CKV_AWS_65"],
  check(props) {
    const settings: { name: string; value: string }[] = props.settings ?? [];
    const value = settings.find((s) => s.name === "containerInsights")?.value;
    if (value === "enabled" || value === "enhanced") return [];
    return [`containerInsights is ${value ?? "unset"}; production clusters have it enabled`];
  },
};
