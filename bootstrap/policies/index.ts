// The bootstrap's CrossGuard policy pack (bootstrap/policies/rules.ts): every rule applies to
// every stack. pulumi preview --policy-pack policies, in bootstrap/.
import { PolicyPack, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { checkResource, checkStack, configOf, configSchema } from "../../policies/evaluate";
import { appliesToType } from "../../policies/evaluate";
import { Rule } from "../../policies/rule";
import { bootstrapRules } from "./rules";

function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
  const common = { name: rule.name, description: rule.description, enforcementLevel: rule.enforcementLevel, configSchema: configSchema(rule), tags: rule.anchors };
  if (rule.kind === "resource") {
    return {
      ...common,
      validateResource: (args, reportViolation) => {
        if (!appliesToType(rule, args.type)) return;
        for (const message of checkResource(rule, { type: args.type, props: args.props }, configOf(rule, args.getConfig()))) reportViolation(message);
      },
    };
  }
  return {
    ...common,
    validateStack: (args, reportViolation) => {
      const resources = args.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.props }));
      for (const { urn, message } of checkStack(rule, resources, configOf(rule, args.getConfig()))) reportViolation(message, urn);
    },
  };
}

new PolicyPack("trading-bot-bootstrap-policies", {
  description: "OIDC trust, permissions boundaries and environment branch rules of the trading-bot bootstrap",
  policies: bootstrapRules.map(toPolicy),
});
