// In-process tests of the ECS cluster rule.
import * as cluster from "../../policies/rules/ecsCluster";
import { describeResourceRule } from "./harness";

const insights = (value: string) => ({ settings: [{ name: "containerInsights", value }] });

describe("ECS cluster rules, in-process", () => {
  describeResourceRule(cluster.containerInsights, {
    cases: [
      { what: "Container Insights enabled", props: insights("enabled"), expect: [] },
      { what: "Container Insights enhanced", props: insights("enhanced"), expect: [] },
      { what: "Container Insights disabled", props: insights("disabled"), expect: ["containerInsights is disabled; production clusters have it enabled"] },
      { what: "no settings", props: {}, expect: ["containerInsights is unset; production clusters have it enabled"] },
      { what: "another setting only", props: { settings: [{ name: "somethingElse", value: "enabled" }] },
        expect: ["containerInsights is unset; production clusters have it enabled"] },
    ],
    unknown: [
      { path: "settings", props: insights("enabled") },
      { path: "settings.0.value", props: insights("enabled") },
    ],
  });
});
