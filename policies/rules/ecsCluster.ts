import { productionRule } from "../rule";

const CLUSTER = "aws:ecs/cluster:Cluster";

export const containerInsights = productionRule(CLUSTER, {
  name: "ecs-cluster-container-insights",
  description: "The production cluster has Container Insights on",
  reads: ["settings[name=containerInsights].value"],
  required: "enabled or enhanced",
  anchors: ["cdk-nag AwsSolutions-ECS4", "Checkov CKV_AWS_65"],
  check(props) {
    // Stryker disable next-line ArrayDeclaration: a stand-in element is no setting, so find passes it over either way
    const settings: { name: string; value: string }[] = props.settings ?? [];
    const value = settings.find((s) => s.name === "containerInsights")?.value;
    if (value === "enabled" || value === "enhanced") return [];
    return [`containerInsights is ${value ?? "unset"}; production clusters have it enabled`];
  },
});
